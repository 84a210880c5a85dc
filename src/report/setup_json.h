// JSON form of a SetupReport (docs/json.md, section "setup"): written by
// `mailscout setup --format json` and --save-report, read back by
// `mailscout export --from` (SetupFromJsonText), which never touches the
// network.
//
// The object holds every field of `discover --format json` (email, domain,
// candidates, sources, provider; report/discovery_json.h), plus
//   ok             a verified incoming and a verified outgoing server
//   password_given whether a login was attempted at all
//   display_name, ms
//   checks         the tester's objects (report/check_json.h)
//   recommended    {incoming, outgoing, incoming_alternatives, outgoing_alternatives}
//                  with Setting objects: protocol, host, port, security,
//                  username, auth, verified, source, reason
//   warnings       discovery's and setup's warnings together
// Pure functions, thread-safe. A SetupReport holds no password, so neither
// does its JSON.
#ifndef MAILSCOUT_REPORT_SETUP_JSON_H_
#define MAILSCOUT_REPORT_SETUP_JSON_H_

#include <string>

#include <Poco/JSON/Object.h>

#include "core/model.h"
#include "core/result.h"

namespace mailscout {

Poco::JSON::Object::Ptr ToJson(const SetupReport& report);
Poco::JSON::Object::Ptr ToJson(const Setting& setting);

// Pretty-printed with a final newline.
std::string SetupToJsonText(const SetupReport& report);

// Reads what ToJson wrote. Errors (kProtocol, a sentence naming the field):
// not JSON, a missing or malformed discovery part, check or setting (a
// setting needs protocol, host, port 1-65535 and security). The warnings all
// land in SetupReport::warnings (discovery.warnings stays empty), so writing
// the report again gives the same JSON. Never throws.
Result<SetupReport> SetupFromJson(const Poco::JSON::Object::Ptr& object);
Result<SetupReport> SetupFromJsonText(const std::string& text);

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_SETUP_JSON_H_
