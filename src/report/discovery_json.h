// JSON form of a DiscoveryResult (docs/json.md, section "discover"): written
// by `mailscout discover --format json`, embedded in `setup` reports, and
// read back by `export --from` (DiscoveryFromJson).
//
// Field names and enumeration strings are stable; new fields may be added.
// Pure functions, thread-safe. A DiscoveryResult holds no password.
#ifndef MAILSCOUT_REPORT_DISCOVERY_JSON_H_
#define MAILSCOUT_REPORT_DISCOVERY_JSON_H_

#include <string>

#include <Poco/JSON/Object.h>

#include "core/model.h"
#include "core/result.h"

namespace mailscout {

Poco::JSON::Object::Ptr ToJson(const DiscoveryResult& result);
Poco::JSON::Object::Ptr ToJson(const ServerCandidate& candidate);
Poco::JSON::Object::Ptr ToJson(const SourceStatus& source);
Poco::JSON::Object::Ptr ToJson(const ProviderInfo& provider);

// Read what ToJson wrote; optional fields missing take their defaults.
// Error (kProtocol, message naming the field) when a required field is
// missing, of the wrong type, or an unknown enumeration value:
// candidates need protocol, host, port (1-65535), security; a result needs
// email, domain and candidates. Never throws.
Result<DiscoveryResult> DiscoveryFromJson(const Poco::JSON::Object::Ptr& object);
Result<ServerCandidate> CandidateFromJson(const Poco::JSON::Object::Ptr& object);

// Parses the text of `discover --format json` (or any object of that shape).
Result<DiscoveryResult> DiscoveryFromJsonText(const std::string& text);

// `mailscout discover --format json` output, pretty-printed, final newline.
std::string DiscoveryToJsonText(const DiscoveryResult& result);

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_DISCOVERY_JSON_H_
