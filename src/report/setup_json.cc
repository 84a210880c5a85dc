#include "report/setup_json.h"

#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include "report/check_json.h"
#include "report/discovery_json.h"
#include "report/json_fields.h"

namespace mailscout {
namespace {

using json::GetArray;
using json::GetBool;
using json::GetInt;
using json::GetObject;
using json::GetString;
using json::HasValue;
using json::NewObject;
using json::ReadEach;
using json::StringOrNull;
using json::ToJsonArray;
using json::ToJsonOrNull;
using Poco::JSON::Array;
using Poco::JSON::Object;

Error Bad(const std::string& what) {
  return Error::Make(ErrorKind::kProtocol, "The saved setup report is not valid: " + what);
}

Result<Setting> SettingFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("a recommended setting is not an object");
  Setting s;
  auto protocol = GetString(o, "protocol");
  auto p = protocol ? ParseProtocol(*protocol) : std::nullopt;
  if (!p) return Bad("a recommended setting has no valid \"protocol\"");
  s.protocol = *p;
  auto host = GetString(o, "host");
  if (!host || host->empty()) return Bad("a recommended setting has no \"host\"");
  s.host = *host;
  auto port = GetInt(o, "port");
  if (!port || *port < 1 || *port > 65535) {
    return Bad("the recommended setting for " + s.host + " has no valid \"port\"");
  }
  s.port = static_cast<uint16_t>(*port);
  auto security = GetString(o, "security");
  auto sec = security ? ParseSecurity(*security) : std::nullopt;
  if (!sec) return Bad("the recommended setting for " + s.host + " has no valid \"security\"");
  s.security = *sec;
  s.username = GetString(o, "username").value_or("");
  s.auth = GetString(o, "auth").value_or("");
  s.verified = GetBool(o, "verified").value_or(false);
  if (auto source = GetString(o, "source")) {
    if (auto parsed = ParseSource(*source)) s.source = *parsed;
  }
  s.reason = GetString(o, "reason").value_or("");
  return s;
}

Result<std::vector<Setting>> SettingsFromJson(const Object::Ptr& o, const std::string& key) {
  return ReadEach(GetArray(o, key), &SettingFromJson);
}

Object::Ptr ToJson(const LoginRealm& realm) {
  Object::Ptr o = NewObject();
  o->set("realm", realm.realm);
  o->set("hosts", json::Strings(realm.hosts));
  o->set("attempts", realm.attempts);
  o->set("failed", realm.failed);
  o->set("failed_before", realm.failed_before);
  o->set("rejected_usernames", json::Strings(realm.rejected));
  o->set("accepted_username", StringOrNull(realm.accepted));
  o->set("closed", StringOrNull(realm.closed));
  o->set("wrong_password", realm.wrong_password);
  return o;
}

Object::Ptr ToJson(const LoginPolicyReport& policy) {
  Object::Ptr o = NewObject();
  o->set("max_failed_per_run", policy.max_failed_per_run);
  o->set("max_failed_in_all", policy.max_failed_in_all);
  o->set("window_seconds", policy.window_seconds);
  o->set("ledger", StringOrNull(policy.ledger));
  o->set("ledger_warning", StringOrNull(policy.ledger_warning));
  o->set("stopped", StringOrNull(policy.stopped));
  Array::Ptr realms = new Array();
  for (const LoginRealm& realm : policy.realms) realms->add(ToJson(realm));
  o->set("realms", realms);
  return o;
}

Result<LoginRealm> RealmFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("a login_policy realm is not an object");
  LoginRealm realm;
  realm.realm = GetString(o, "realm").value_or("");
  realm.hosts = json::GetStrings(o, "hosts");
  realm.attempts = static_cast<int>(GetInt(o, "attempts").value_or(0));
  realm.failed = static_cast<int>(GetInt(o, "failed").value_or(0));
  realm.failed_before = static_cast<int>(GetInt(o, "failed_before").value_or(0));
  realm.rejected = json::GetStrings(o, "rejected_usernames");
  realm.accepted = GetString(o, "accepted_username").value_or("");
  realm.closed = GetString(o, "closed").value_or("");
  realm.wrong_password = GetBool(o, "wrong_password").value_or(false);
  return realm;
}

// The login_policy object; a report without one (older mailscout) reads
// as an empty policy.
Result<LoginPolicyReport> PolicyFromJson(const Object::Ptr& o) {
  LoginPolicyReport policy;
  if (o.isNull()) return policy;
  policy.max_failed_per_run = static_cast<int>(GetInt(o, "max_failed_per_run").value_or(0));
  policy.max_failed_in_all = static_cast<int>(GetInt(o, "max_failed_in_all").value_or(0));
  policy.window_seconds = GetInt(o, "window_seconds").value_or(0);
  policy.ledger = GetString(o, "ledger").value_or("");
  policy.ledger_warning = GetString(o, "ledger_warning").value_or("");
  policy.stopped = GetString(o, "stopped").value_or("");
  Result<std::vector<LoginRealm>> realms = ReadEach(GetArray(o, "realms"), &RealmFromJson);
  if (!realms.ok()) return realms.error();
  policy.realms = std::move(realms.value());
  return policy;
}

}  // namespace

Object::Ptr ToJson(const Setting& s) {
  Object::Ptr o = NewObject();
  o->set("protocol", std::string(ToString(s.protocol)));
  o->set("host", s.host);
  o->set("port", static_cast<int>(s.port));
  o->set("security", std::string(ToString(s.security)));
  o->set("username", s.username);
  o->set("auth", s.auth);
  o->set("verified", s.verified);
  o->set("source", std::string(ToString(s.source)));
  o->set("reason", s.reason);
  return o;
}

Object::Ptr ToJson(const SetupReport& report) {
  Object::Ptr o = ToJson(report.discovery);  // the discover fields, in their order
  const Recommendation& r = report.recommended;
  o->set("ok", r.incoming && r.incoming->verified && r.outgoing && r.outgoing->verified);
  o->set("password_given", report.password_given);
  o->set("display_name", report.display_name);
  o->set("ms", report.ms);
  o->set("checks", ToJsonArray(report.checks));
  Object::Ptr rec = NewObject();
  rec->set("incoming", ToJsonOrNull(r.incoming));
  rec->set("outgoing", ToJsonOrNull(r.outgoing));
  rec->set("incoming_alternatives", ToJsonArray(r.incoming_alternatives));
  rec->set("outgoing_alternatives", ToJsonArray(r.outgoing_alternatives));
  o->set("recommended", rec);
  o->set("login_policy", ToJson(report.login_policy));
  Array::Ptr warnings = new Array();
  std::set<std::string> seen;
  for (const auto* list : {&report.discovery.warnings, &report.warnings}) {
    for (const auto& w : *list) {
      if (seen.insert(w).second) warnings->add(w);
    }
  }
  o->set("warnings", warnings);
  return o;
}

std::string SetupToJsonText(const SetupReport& report) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(ToJson(report), out, 2);
  out << "\n";
  return out.str();
}

Result<SetupReport> SetupFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("not a JSON object");
  SetupReport report;
  Result<DiscoveryResult> discovery = DiscoveryFromJson(o);
  if (!discovery.ok()) return discovery.error();
  report.discovery = std::move(discovery.value());
  report.warnings = std::move(report.discovery.warnings);
  report.discovery.warnings.clear();
  report.password_given = GetBool(o, "password_given").value_or(false);
  report.display_name = GetString(o, "display_name").value_or("");
  report.ms = GetInt(o, "ms").value_or(0);
  Result<std::vector<CheckResult>> checks = ReadEach(GetArray(o, "checks"), &CheckFromJson);
  if (!checks.ok()) return checks.error();
  report.checks = std::move(checks.value());
  Object::Ptr rec = GetObject(o, "recommended");
  if (rec.isNull()) return Bad("\"recommended\" is missing");
  for (auto [key, slot] : {std::pair{"incoming", &report.recommended.incoming},
                           std::pair{"outgoing", &report.recommended.outgoing}}) {
    if (!HasValue(rec, key)) continue;
    Result<Setting> s = SettingFromJson(GetObject(rec, key));
    if (!s.ok()) return s.error();
    *slot = std::move(s.value());
  }
  auto in_alt = SettingsFromJson(rec, "incoming_alternatives");
  if (!in_alt.ok()) return in_alt.error();
  report.recommended.incoming_alternatives = std::move(in_alt.value());
  auto out_alt = SettingsFromJson(rec, "outgoing_alternatives");
  if (!out_alt.ok()) return out_alt.error();
  report.recommended.outgoing_alternatives = std::move(out_alt.value());
  Result<LoginPolicyReport> policy = PolicyFromJson(GetObject(o, "login_policy"));
  if (!policy.ok()) return policy.error();
  report.login_policy = std::move(policy.value());
  return report;
}

Result<SetupReport> SetupFromJsonText(const std::string& text) {
  return json::ReadText(text, &SetupFromJson, &Bad);
}

}  // namespace mailscout
