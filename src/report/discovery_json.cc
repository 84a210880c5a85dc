#include "report/discovery_json.h"

#include <optional>
#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include "report/json_fields.h"

namespace mailscout {
namespace {

using json::GetArray;
using json::GetInt;
using json::GetObject;
using json::GetString;
using json::GetStrings;
using json::NewObject;
using json::ObjectAt;
using json::ReadEach;
using json::Strings;
using json::ToJsonArray;
using json::ToJsonOrNull;
using Poco::JSON::Array;
using Poco::JSON::Object;

Error Bad(const std::string& what) {
  return Error::Make(ErrorKind::kProtocol, "The saved discovery result is not valid: " + what);
}

}  // namespace

Object::Ptr ToJson(const ServerCandidate& c) {
  Object::Ptr o = NewObject();
  o->set("protocol", std::string(ToString(c.protocol)));
  o->set("host", c.host);
  o->set("port", static_cast<int>(c.port));
  o->set("security", std::string(ToString(c.security)));
  o->set("username", c.username);
  o->set("source", std::string(ToString(c.source)));
  o->set("trust", std::string(ToString(c.trust)));
  o->set("detail", c.detail);
  o->set("auth", Strings(c.auth));
  Array::Ptr also = new Array();
  for (Source s : c.also_from) also->add(std::string(ToString(s)));
  o->set("also_from", also);
  o->set("rank", c.rank);
  return o;
}

Object::Ptr ToJson(const SourceStatus& s) {
  Object::Ptr o = NewObject();
  o->set("name", s.name);
  o->set("status", s.status);
  o->set("ms", s.ms);
  o->set("detail", s.detail);
  return o;
}

Object::Ptr ToJson(const ProviderInfo& p) {
  Object::Ptr o = NewObject();
  o->set("id", p.id);
  o->set("display_name", p.display_name);
  o->set("login_policy", p.login_policy);
  o->set("documentation_url", p.documentation_url);
  return o;
}

Object::Ptr ToJson(const DiscoveryResult& r) {
  Object::Ptr o = NewObject();
  o->set("email", r.email);
  o->set("domain", r.domain);
  o->set("candidates", ToJsonArray(r.candidates));
  o->set("sources", ToJsonArray(r.sources));
  o->set("warnings", Strings(r.warnings));
  o->set("provider", ToJsonOrNull(r.provider));
  return o;
}

Result<ServerCandidate> CandidateFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("a candidate is not an object");
  ServerCandidate c;
  auto protocol = GetString(o, "protocol");
  auto parsed_protocol = protocol ? ParseProtocol(*protocol) : std::nullopt;
  if (!parsed_protocol) return Bad("a candidate has no valid \"protocol\"");
  c.protocol = *parsed_protocol;
  auto host = GetString(o, "host");
  if (!host || host->empty()) return Bad("a candidate has no \"host\"");
  c.host = *host;
  auto port = GetInt(o, "port");
  if (!port || *port < 1 || *port > 65535)
    return Bad("candidate " + c.host + " has no valid \"port\"");
  c.port = static_cast<uint16_t>(*port);
  auto security = GetString(o, "security");
  auto parsed_security = security ? ParseSecurity(*security) : std::nullopt;
  if (!parsed_security) return Bad("candidate " + c.host + " has no valid \"security\"");
  c.security = *parsed_security;
  c.username = GetString(o, "username").value_or("");
  if (auto source = GetString(o, "source")) {
    auto s = ParseSource(*source);
    if (!s) return Bad("candidate " + c.host + " has an unknown \"source\" '" + *source + "'");
    c.source = *s;
  }
  if (auto trust = GetString(o, "trust")) {
    auto t = ParseTrust(*trust);
    if (!t) return Bad("candidate " + c.host + " has an unknown \"trust\" '" + *trust + "'");
    c.trust = *t;
  }
  c.detail = GetString(o, "detail").value_or("");
  c.auth = GetStrings(o, "auth");
  for (const auto& name : GetStrings(o, "also_from")) {
    if (auto s = ParseSource(name)) c.also_from.push_back(*s);
  }
  c.rank = static_cast<int>(GetInt(o, "rank").value_or(0));
  return c;
}

Result<DiscoveryResult> DiscoveryFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("not a JSON object");
  DiscoveryResult r;
  auto email = GetString(o, "email");
  if (!email) return Bad("\"email\" is missing");
  r.email = *email;
  auto domain = GetString(o, "domain");
  if (!domain) return Bad("\"domain\" is missing");
  r.domain = *domain;
  Array::Ptr candidates = GetArray(o, "candidates");
  if (candidates.isNull()) return Bad("\"candidates\" is missing");
  Result<std::vector<ServerCandidate>> read = ReadEach(candidates, &CandidateFromJson);
  if (!read.ok()) return read.error();
  r.candidates = std::move(read.value());
  if (Array::Ptr sources = GetArray(o, "sources"); !sources.isNull()) {
    for (size_t i = 0; i < sources->size(); ++i) {
      Object::Ptr s = ObjectAt(sources, i);
      if (s.isNull()) continue;
      SourceStatus status;
      status.name = GetString(s, "name").value_or("");
      status.status = GetString(s, "status").value_or("");
      status.ms = GetInt(s, "ms").value_or(0);
      status.detail = GetString(s, "detail").value_or("");
      r.sources.push_back(std::move(status));
    }
  }
  r.warnings = GetStrings(o, "warnings");
  if (Object::Ptr p = GetObject(o, "provider"); !p.isNull()) {
    ProviderInfo info;
    info.id = GetString(p, "id").value_or("");
    info.display_name = GetString(p, "display_name").value_or("");
    info.login_policy = GetString(p, "login_policy").value_or("password");
    info.documentation_url = GetString(p, "documentation_url").value_or("");
    r.provider = info;
  }
  return r;
}

Result<DiscoveryResult> DiscoveryFromJsonText(const std::string& text) {
  return json::ReadText(text, &DiscoveryFromJson, &Bad);
}

std::string DiscoveryToJsonText(const DiscoveryResult& result) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(ToJson(result), out, 2);
  out << "\n";
  return out.str();
}

}  // namespace mailscout
