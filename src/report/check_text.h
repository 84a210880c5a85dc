// Text form of CheckResults for `mailscout test` (and reusable by setup):
// one verdict line per check, then indented details.
//
//   [PASS] IMAP mail.example.com:993 SSL/TLS  alice@example.com  logged in with SCRAM-SHA-256  (38
//   ms) [FAIL] SMTP mail.example.com:587 STARTTLS  certificate
//          The certificate of mail.example.com expired on 2024-01-01T00:00:00Z
//     address       127.0.0.11
//     ...
//
// Pure functions, no colours, no password (CheckResult holds none).
#ifndef MAILSCOUT_REPORT_CHECK_TEXT_H_
#define MAILSCOUT_REPORT_CHECK_TEXT_H_

#include <string>
#include <vector>

#include "core/model.h"

namespace mailscout {

struct CheckTextOptions {
  bool details = true;     // the indented lines after the verdict
  bool transcript = true;  // the dialog, when the check recorded one
};

// The verdict line only (no newline): "[PASS] IMAP host:993 SSL/TLS ...".
std::string CheckVerdictLine(const CheckResult& check);

// Verdict line, then details; ends with a newline.
std::string CheckText(const CheckResult& check, const CheckTextOptions& options = {});

// Every check, separated by blank lines, then a summary line when there is
// more than one.
std::string ChecksText(const std::vector<CheckResult>& checks,
                       const CheckTextOptions& options = {});

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_CHECK_TEXT_H_
