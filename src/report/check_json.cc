#include "report/check_json.h"

#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include "report/json_fields.h"

namespace mailscout {
namespace {

using json::GetBool;
using json::GetInt;
using json::GetObject;
using json::GetString;
using json::GetStrings;
using json::HasValue;
using json::NewObject;
using json::StringOrNull;
using json::Strings;
using json::ToJsonOrNull;
using Poco::JSON::Array;
using Poco::JSON::Object;

Error Bad(const std::string& what) {
  return Error::Make(ErrorKind::kProtocol, "The saved check is not valid: " + what);
}

}  // namespace

Object::Ptr ToJson(const Error& error) {
  Object::Ptr o = NewObject();
  o->set("kind", std::string(ToString(error.kind)));
  o->set("message", error.message);
  o->set("server_reply", StringOrNull(error.server_reply));
  o->set("phase", StringOrNull(std::string(ToString(error.phase))));
  if (error.dns) o->set("dns", std::string(ToString(*error.dns)));
  if (!error.reason.empty()) o->set("reason", error.reason);
  return o;
}

Object::Ptr ToJson(const TlsInfo& tls) {
  Object::Ptr o = NewObject();
  o->set("version", tls.version);
  o->set("cipher", tls.cipher);
  Object::Ptr cert = NewObject();
  cert->set("subject", tls.subject);
  cert->set("issuer", tls.issuer);
  cert->set("sans", Strings(tls.sans));
  cert->set("not_before", tls.not_before);
  cert->set("not_after", tls.not_after);
  o->set("certificate", cert);
  o->set("chain_ok", tls.chain_ok);
  o->set("name_ok", tls.name_ok);
  if (tls.chain_ok) {
    o->set("chain_error", Poco::Dynamic::Var());
  } else {
    o->set("chain_error", tls.chain_error);
  }
  o->set("chain_error_code", tls.chain_error_code);
  return o;
}

Object::Ptr ToJson(const CheckResult& check) {
  Object::Ptr o = NewObject();
  o->set("protocol", std::string(ToString(check.protocol)));
  o->set("host", check.host);
  o->set("port", static_cast<int>(check.port));
  o->set("security", std::string(ToString(check.security)));
  o->set("username", check.username);
  o->set("ok", check.ok);
  o->set("error", ToJsonOrNull(check.error));
  o->set("address", check.address);
  o->set("greeting", check.greeting);
  o->set("tls", ToJsonOrNull(check.tls));
  o->set("capabilities", Strings(check.capabilities));
  o->set("auth_mechanisms", Strings(check.auth_mechanisms));
  o->set("login_attempted", check.login_attempted);
  o->set("login_ok", check.login_ok);
  o->set("auth_used", StringOrNull(check.auth_used));
  o->set("auth_reply", check.auth_reply);
  Object::Ptr timings = NewObject();
  for (const PhaseTiming& t : check.timings) timings->set(std::string(ToString(t.phase)), t.ms);
  o->set("timings", timings);
  o->set("ms", check.ms);
  o->set("warnings", Strings(check.warnings));
  if (check.recalled) o->set("recalled", true);
  if (!check.transcript.empty()) o->set("transcript", Strings(check.transcript));
  return o;
}

std::optional<Error> ErrorFromJson(const Object::Ptr& o) {
  if (o.isNull()) return std::nullopt;
  std::optional<std::string> kind_name = GetString(o, "kind");
  std::optional<ErrorKind> kind = kind_name ? ParseErrorKind(*kind_name) : std::nullopt;
  if (!kind) return std::nullopt;
  Error e;
  e.kind = *kind;
  e.message = GetString(o, "message").value_or("");
  e.server_reply = GetString(o, "server_reply").value_or("");
  e.phase = ParsePhase(GetString(o, "phase").value_or("")).value_or(Phase::kNone);
  if (std::optional<std::string> dns = GetString(o, "dns")) e.dns = ParseDnsOutcome(*dns);
  if (std::optional<std::string> reason = GetString(o, "reason")) e.reason = *reason;
  return e;
}

Result<TlsInfo> TlsFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("tls is not an object");
  TlsInfo tls;
  tls.version = GetString(o, "version").value_or("");
  tls.cipher = GetString(o, "cipher").value_or("");
  Object::Ptr cert = GetObject(o, "certificate");
  if (!cert.isNull()) {
    tls.subject = GetString(cert, "subject").value_or("");
    tls.issuer = GetString(cert, "issuer").value_or("");
    tls.sans = GetStrings(cert, "sans");
    tls.not_before = GetString(cert, "not_before").value_or("");
    tls.not_after = GetString(cert, "not_after").value_or("");
  }
  tls.chain_ok = GetBool(o, "chain_ok").value_or(false);
  tls.name_ok = GetBool(o, "name_ok").value_or(false);
  tls.chain_error = GetString(o, "chain_error").value_or("");
  tls.chain_error_code = static_cast<int>(GetInt(o, "chain_error_code").value_or(0));
  return tls;
}

Result<CheckResult> CheckFromJson(const Object::Ptr& o) {
  try {
    if (o.isNull()) return Bad("the check is not an object");
    CheckResult check;
    std::optional<std::string> protocol = GetString(o, "protocol");
    std::optional<Protocol> p = protocol ? ParseProtocol(*protocol) : std::nullopt;
    if (!p) return Bad("protocol is missing or unknown");
    check.protocol = *p;
    std::optional<std::string> host = GetString(o, "host");
    if (!host) return Bad("host is missing");
    check.host = *host;
    std::optional<int64_t> port = GetInt(o, "port");
    if (!port || *port < 0 || *port > 65535) return Bad("port is missing or out of range");
    check.port = static_cast<uint16_t>(*port);
    std::optional<std::string> security = GetString(o, "security");
    std::optional<Security> s = security ? ParseSecurity(*security) : std::nullopt;
    if (!s) return Bad("security is missing or unknown");
    check.security = *s;
    std::optional<bool> ok = GetBool(o, "ok");
    if (!ok) return Bad("ok is missing");
    check.ok = *ok;
    check.username = GetString(o, "username").value_or("");
    if (HasValue(o, "error")) {
      std::optional<Error> e = ErrorFromJson(o->getObject("error"));
      if (!e) return Bad("error is not an object with a known kind");
      check.error = *e;
    }
    check.address = GetString(o, "address").value_or("");
    check.greeting = GetString(o, "greeting").value_or("");
    if (HasValue(o, "tls")) {
      Result<TlsInfo> tls = TlsFromJson(o->getObject("tls"));
      if (!tls.ok()) return tls.error();
      check.tls = tls.value();
    }
    check.capabilities = GetStrings(o, "capabilities");
    check.auth_mechanisms = GetStrings(o, "auth_mechanisms");
    check.login_attempted = GetBool(o, "login_attempted").value_or(false);
    check.login_ok = GetBool(o, "login_ok").value_or(false);
    check.auth_used = GetString(o, "auth_used").value_or("");
    check.auth_reply = GetString(o, "auth_reply").value_or("");
    Object::Ptr timings = GetObject(o, "timings");
    if (!timings.isNull()) {
      for (const std::string& name : timings->getNames()) {
        std::optional<Phase> phase = ParsePhase(name);
        std::optional<int64_t> ms = GetInt(timings, name);
        if (phase && *phase != Phase::kNone && ms) check.timings.push_back({*phase, *ms});
      }
    }
    check.ms = GetInt(o, "ms").value_or(0);
    check.warnings = GetStrings(o, "warnings");
    check.recalled = GetBool(o, "recalled").value_or(false);
    check.transcript = GetStrings(o, "transcript");
    return check;
  } catch (const Poco::Exception& e) {
    return Bad(e.displayText());
  }
}

std::string ChecksToJsonText(const std::vector<CheckResult>& checks) {
  std::ostringstream out;
  if (checks.size() == 1) {
    ToJson(checks.front())->stringify(out, 2);
  } else {
    Object::Ptr o = NewObject();
    bool all_ok = !checks.empty();
    Array::Ptr array = new Array();
    for (const CheckResult& c : checks) {
      all_ok = all_ok && c.ok;
      array->add(ToJson(c));
    }
    o->set("ok", all_ok);
    o->set("checks", array);
    o->stringify(out, 2);
  }
  out << "\n";
  return out.str();
}

}  // namespace mailscout
