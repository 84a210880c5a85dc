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
  return report;
}

Result<SetupReport> SetupFromJsonText(const std::string& text) {
  return json::ReadText(text, &SetupFromJson, &Bad);
}

}  // namespace mailscout
