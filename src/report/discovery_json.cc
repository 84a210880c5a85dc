#include "report/discovery_json.h"

#include <optional>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

namespace mailscout {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

Error Bad(const std::string& what) {
  return Error::Make(ErrorKind::kProtocol, "The saved discovery result is not valid: " + what);
}

std::optional<std::string> GetString(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return std::nullopt;
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isString()) return std::nullopt;
  return v.extract<std::string>();
}

std::optional<int64_t> GetInt(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return std::nullopt;
  Poco::Dynamic::Var v = o->get(key);
  if (!v.isNumeric() || v.isString()) return std::nullopt;
  try {
    return v.convert<int64_t>();
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

Array::Ptr GetArray(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return nullptr;
  try {
    return o->getArray(key);
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

std::vector<std::string> GetStrings(const Object::Ptr& o, const std::string& key) {
  std::vector<std::string> out;
  Array::Ptr array = GetArray(o, key);
  if (array.isNull()) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    Poco::Dynamic::Var v = array->get(static_cast<unsigned>(i));
    if (v.isString()) out.push_back(v.extract<std::string>());
  }
  return out;
}

Object::Ptr ObjectAt(const Array::Ptr& array, size_t i) {
  try {
    return array->getObject(static_cast<unsigned>(i));
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Array::Ptr Strings(const std::vector<std::string>& items) {
  Array::Ptr array = new Array();
  for (const auto& item : items) array->add(item);
  return array;
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
  Array::Ptr candidates = new Array();
  for (const auto& c : r.candidates) candidates->add(ToJson(c));
  o->set("candidates", candidates);
  Array::Ptr sources = new Array();
  for (const auto& s : r.sources) sources->add(ToJson(s));
  o->set("sources", sources);
  o->set("warnings", Strings(r.warnings));
  if (r.provider) {
    o->set("provider", ToJson(*r.provider));
  } else {
    o->set("provider", Poco::Dynamic::Var());
  }
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
  for (size_t i = 0; i < candidates->size(); ++i) {
    Result<ServerCandidate> c = CandidateFromJson(ObjectAt(candidates, i));
    if (!c.ok()) return c.error();
    r.candidates.push_back(std::move(c.value()));
  }
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
  if (o->has("provider") && !o->isNull("provider")) {
    Object::Ptr p;
    try {
      p = o->getObject("provider");
    } catch (const Poco::Exception&) {
    }
    if (!p.isNull()) {
      ProviderInfo info;
      info.id = GetString(p, "id").value_or("");
      info.display_name = GetString(p, "display_name").value_or("");
      info.login_policy = GetString(p, "login_policy").value_or("password");
      info.documentation_url = GetString(p, "documentation_url").value_or("");
      r.provider = info;
    }
  }
  return r;
}

Result<DiscoveryResult> DiscoveryFromJsonText(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(text);
    const Object::Ptr& object = parsed.extract<Object::Ptr>();
    return DiscoveryFromJson(object);
  } catch (const Poco::Exception& e) {
    return Bad("not JSON (" + e.displayText() + ")");
  } catch (const std::exception& e) {
    return Bad(std::string("not a JSON object (") + e.what() + ")");
  }
}

std::string DiscoveryToJsonText(const DiscoveryResult& result) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(ToJson(result), out, 2);
  out << "\n";
  return out.str();
}

}  // namespace mailscout
