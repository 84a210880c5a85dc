// The helpdesk card: `mailscout setup`'s default output, written so a person
// can read it to someone over the phone.
//
//   1. a one-line verdict (ready / password rejected / no password given /
//      nothing works),
//   2. the incoming and the outgoing server: server, port, security in the
//      words mail clients use ("SSL/TLS", "STARTTLS"), username,
//      authentication, and whether a real login proved it,
//   3. why these were chosen, then "Also works" (the alternatives),
//   4. "Problems found": every check that failed, one line each, with a
//      plain explanation and what to do (wrong password, certificate for
//      another name, port blocked, STARTTLS missing, ...),
//   5. "Where the settings came from": the source of every setting shown,
//      and how each discovery source went.
//
// Pure function of the report (no I/O, no colours); never prints a password
// because the report holds none. Thread-safe.
#ifndef MAILSCOUT_REPORT_SETUP_TEXT_H_
#define MAILSCOUT_REPORT_SETUP_TEXT_H_

#include <string>

#include "core/model.h"

namespace mailscout {

std::string SetupText(const SetupReport& report);

// One sentence on what to do about a failed check's error, e.g. "Check the
// password; some providers need an app password for mail programs." Empty
// when there is nothing to add.
std::string AdviceFor(const Error& error);

// "Normal password", "Encrypted password", "OAuth2" for the ISPDB words.
std::string AuthenticationWords(const std::string& auth);

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_SETUP_TEXT_H_
