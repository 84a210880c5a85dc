// JSON form of one CheckResult (docs/json.md, section "check"): written by
// `mailscout test --format json`, embedded in `setup` reports, and read back
// by `export --from` (FromJson).
//
// Field names and enumeration strings are stable; new fields may be added.
// Pure functions, thread-safe. A CheckResult holds no password, so neither
// does its JSON.
#ifndef MAILSCOUT_REPORT_CHECK_JSON_H_
#define MAILSCOUT_REPORT_CHECK_JSON_H_

#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "core/model.h"
#include "core/result.h"

namespace mailscout {

Poco::JSON::Object::Ptr ToJson(const CheckResult& check);
Poco::JSON::Object::Ptr ToJson(const TlsInfo& tls);
Poco::JSON::Object::Ptr ToJson(const Error& error);

// Reads what ToJson wrote (missing optional fields take their defaults).
// Error (kProtocol, message naming the field) when a required field
// (protocol, host, port, security, ok) is missing or has the wrong type or
// an unknown enumeration value. Never throws.
Result<CheckResult> CheckFromJson(const Poco::JSON::Object::Ptr& object);
Result<TlsInfo> TlsFromJson(const Poco::JSON::Object::Ptr& object);
// nullopt when kind is missing or unknown.
std::optional<Error> ErrorFromJson(const Poco::JSON::Object::Ptr& object);

// Convenience for readers that got the name FromJson from the design notes.
inline Result<CheckResult> FromJson(const Poco::JSON::Object::Ptr& object) {
  return CheckFromJson(object);
}

// `mailscout test --format json` output: the single check object, or for
// several checks {"ok": all passed, "checks": [...]}; pretty-printed, with a
// final newline.
std::string ChecksToJsonText(const std::vector<CheckResult>& checks);

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_CHECK_JSON_H_
