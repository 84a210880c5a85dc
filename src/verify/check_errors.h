// Helpdesk wording for the errors of one check.
//
// Sessions, the line channel, ConnectTcp and TlsClient report what went
// wrong in technical terms; Explain() rewrites the message into a sentence a
// helpdesk can read out ("The server rejected the password for
// alice@example.com (IMAP says: [AUTHENTICATIONFAILED] Authentication
// failed)") and keeps kind, phase and the server's words. Pure functions,
// thread-safe. Nothing here ever sees a password.
#ifndef MAILSCOUT_VERIFY_CHECK_ERRORS_H_
#define MAILSCOUT_VERIFY_CHECK_ERRORS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace mailscout {

struct CheckContext {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::string username;
  bool oauth = false;                   // the credential was an OAuth token
  std::optional<int64_t> token_expiry;  // when that token expires (Unix seconds), if known
  int64_t phase_budget_ms = 0;          // the timeout of the phase that failed, if known
};

// The server's words without protocol framing: "a2 NO [X] text" -> "[X]
// text", "-ERR text" -> "text", SMTP keeps its code ("535 5.7.8 text").
std::string ServerWords(Protocol protocol, const std::string& reply);

// What a provider's refusal means beyond "wrong password", from its own
// words (docs/json.md, error.reason): {reason, what to do}, or empty
// strings when the reply is an ordinary rejection.
struct Refusal {
  std::string reason;  // "basic-auth-disabled", "app-password-required"
  std::string advice;  // a plain sentence: what the user should do
};
Refusal ClassifyRefusal(Protocol protocol, const std::string& host, const std::string& reply);

// The final, helpdesk-worded error.
Error Explain(Error error, const CheckContext& context);

}  // namespace mailscout

#endif  // MAILSCOUT_VERIFY_CHECK_ERRORS_H_
