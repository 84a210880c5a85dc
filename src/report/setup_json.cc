#include "report/setup_json.h"

#include <set>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "report/check_json.h"
#include "report/discovery_json.h"

namespace mailscout {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Error Bad(const std::string& what) {
  return Error::Make(ErrorKind::kProtocol, "The saved setup report is not valid: " + what);
}

// Value of key when it has type T; nullopt when missing, null or mistyped.
template <typename T>
std::optional<T> Get(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return std::nullopt;
  try {
    Poco::Dynamic::Var v = o->get(key);
    if constexpr (std::is_same_v<T, std::string>) {
      if (!v.isString()) return std::nullopt;
      return v.extract<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!v.isBoolean()) return std::nullopt;
      return v.extract<bool>();
    } else {
      if (!v.isNumeric() || v.isString()) return std::nullopt;
      return v.convert<T>();
    }
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

Object::Ptr GetObject(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return nullptr;
  try {
    return o->getObject(key);
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Object::Ptr ObjectAt(const Array::Ptr& array, size_t i) {
  try {
    return array->getObject(static_cast<unsigned>(i));
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

Array::Ptr SettingsArray(const std::vector<Setting>& settings) {
  Array::Ptr array = new Array();
  for (const auto& s : settings) array->add(ToJson(s));
  return array;
}

Result<Setting> SettingFromJson(const Object::Ptr& o) {
  if (o.isNull()) return Bad("a recommended setting is not an object");
  Setting s;
  auto protocol = Get<std::string>(o, "protocol");
  auto p = protocol ? ParseProtocol(*protocol) : std::nullopt;
  if (!p) return Bad("a recommended setting has no valid \"protocol\"");
  s.protocol = *p;
  auto host = Get<std::string>(o, "host");
  if (!host || host->empty()) return Bad("a recommended setting has no \"host\"");
  s.host = *host;
  auto port = Get<int64_t>(o, "port");
  if (!port || *port < 1 || *port > 65535) {
    return Bad("the recommended setting for " + s.host + " has no valid \"port\"");
  }
  s.port = static_cast<uint16_t>(*port);
  auto security = Get<std::string>(o, "security");
  auto sec = security ? ParseSecurity(*security) : std::nullopt;
  if (!sec) return Bad("the recommended setting for " + s.host + " has no valid \"security\"");
  s.security = *sec;
  s.username = Get<std::string>(o, "username").value_or("");
  s.auth = Get<std::string>(o, "auth").value_or("");
  s.verified = Get<bool>(o, "verified").value_or(false);
  if (auto source = Get<std::string>(o, "source")) {
    if (auto parsed = ParseSource(*source)) s.source = *parsed;
  }
  s.reason = Get<std::string>(o, "reason").value_or("");
  return s;
}

Result<std::vector<Setting>> SettingsFromJson(const Object::Ptr& o, const std::string& key) {
  std::vector<Setting> out;
  Array::Ptr array = GetArray(o, key);
  if (array.isNull()) return out;
  for (size_t i = 0; i < array->size(); ++i) {
    Result<Setting> s = SettingFromJson(ObjectAt(array, i));
    if (!s.ok()) return s.error();
    out.push_back(std::move(s.value()));
  }
  return out;
}

}  // namespace

Object::Ptr ToJson(const Setting& s) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
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
  Array::Ptr checks = new Array();
  for (const auto& c : report.checks) checks->add(ToJson(c));
  o->set("checks", checks);
  Object::Ptr rec = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  rec->set("incoming", r.incoming ? Poco::Dynamic::Var(ToJson(*r.incoming)) : Poco::Dynamic::Var());
  rec->set("outgoing", r.outgoing ? Poco::Dynamic::Var(ToJson(*r.outgoing)) : Poco::Dynamic::Var());
  rec->set("incoming_alternatives", SettingsArray(r.incoming_alternatives));
  rec->set("outgoing_alternatives", SettingsArray(r.outgoing_alternatives));
  o->set("recommended", rec);
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
  report.password_given = Get<bool>(o, "password_given").value_or(false);
  report.display_name = Get<std::string>(o, "display_name").value_or("");
  report.ms = Get<int64_t>(o, "ms").value_or(0);
  if (Array::Ptr checks = GetArray(o, "checks"); !checks.isNull()) {
    for (size_t i = 0; i < checks->size(); ++i) {
      Result<CheckResult> c = CheckFromJson(ObjectAt(checks, i));
      if (!c.ok()) return c.error();
      report.checks.push_back(std::move(c.value()));
    }
  }
  Object::Ptr rec = GetObject(o, "recommended");
  if (rec.isNull()) return Bad("\"recommended\" is missing");
  for (auto [key, slot] : {std::pair{"incoming", &report.recommended.incoming},
                           std::pair{"outgoing", &report.recommended.outgoing}}) {
    if (!rec->has(key) || rec->isNull(key)) continue;
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
  return report;
}

Result<SetupReport> SetupFromJsonText(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(text);
    return SetupFromJson(parsed.extract<Object::Ptr>());
  } catch (const Poco::Exception& e) {
    return Bad("not JSON (" + e.displayText() + ")");
  } catch (const std::exception& e) {
    return Bad(std::string("not a JSON object (") + e.what() + ")");
  }
}

}  // namespace mailscout
