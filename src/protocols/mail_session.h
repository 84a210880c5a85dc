// MailSession: the login dialog of one mail protocol (IMAP, POP3, SMTP
// submission) over a LineIo, from greeting to logout. verify/tester.cc
// drives it phase by phase and owns the connection, TLS and deadlines; a
// session only speaks the protocol.
//
// Errors are values with the server's own words in Error::server_reply;
// Error::message is a plain default that the tester rewrites for a helpdesk:
//   kTimeout          no reply in time (Phase::kGreeting, kCapabilities,
//                     kStartTls, kAuth, kLogout)
//   kProtocol         not a valid reply, the connection closed, the server
//                     refused service in its greeting, too many lines
//   kStartTlsMissing  STARTTLS/STLS refused by the server
//   kAuth             the server rejected the credentials
//   kAuthMechanism    the server refused the mechanism (SMTP 504/534/538,
//                     IMAP BAD to AUTHENTICATE)
// Credentials are shown as "***" in the transcript.
//
// One session per connection, one thread.
#ifndef MAILSCOUT_PROTOCOLS_MAIL_SESSION_H_
#define MAILSCOUT_PROTOCOLS_MAIL_SESSION_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"
#include "core/types.h"
#include "net/line_io.h"
#include "protocols/sasl.h"

namespace mailscout {

class MailSession {
 public:
  explicit MailSession(LineIo& io) : io_(io) {}
  virtual ~MailSession() = default;
  MailSession(const MailSession&) = delete;
  MailSession& operator=(const MailSession&) = delete;

  virtual Protocol protocol() const = 0;

  // Reads the server's greeting; returns its text (first line).
  virtual Result<std::string> ReadGreeting(Deadline deadline) = 0;

  // IMAP CAPABILITY (skipped when the last response carried a fresh list),
  // POP3 CAPA (a server without CAPA leaves the lists empty), SMTP EHLO
  // (HELO when EHLO is refused).
  virtual Status LoadCapabilities(Deadline deadline) = 0;

  const std::vector<std::string>& capabilities() const { return capabilities_; }
  // SASL mechanisms the server offers, upper-case, in its order.
  const std::vector<std::string>& mechanisms() const { return mechanisms_; }

  virtual bool OffersStartTls() const = 0;
  // IMAP LOGINDISABLED: the server forbids plain-text login right now.
  virtual bool LoginDisabled() const { return false; }
  // IMAP PREAUTH greeting: already logged in.
  virtual bool PreAuthenticated() const { return false; }

  // Sends STARTTLS/STLS and reads the go-ahead. After success the caller
  // upgrades the connection and calls AfterTls().
  virtual Status StartTls(Deadline deadline) = 0;
  // Forgets everything learned before TLS (RFC 3207/2595: capabilities).
  virtual void AfterTls() {
    capabilities_.clear();
    mechanisms_.clear();
  }

  // One SASL exchange. Success: the server's final reply.
  virtual Result<std::string> Authenticate(SaslClient& sasl, Deadline deadline) = 0;

  // The protocol's own password login: IMAP LOGIN, POP3 USER/PASS; empty
  // name when the protocol has none (SMTP).
  virtual std::string PasswordLoginName() const { return {}; }
  virtual Result<std::string> PasswordLogin(const std::string& user, const std::string& password,
                                            Deadline deadline);

  // LOGOUT / QUIT; best effort, never fails.
  virtual void Logout(Deadline deadline) = 0;

 protected:
  LineIo& io_;
  std::vector<std::string> capabilities_;
  std::vector<std::string> mechanisms_;
};

std::unique_ptr<MailSession> MakeImapSession(LineIo& io);
std::unique_ptr<MailSession> MakePop3Session(LineIo& io);
// ehlo_name: the argument of EHLO, e.g. "[192.0.2.1]".
std::unique_ptr<MailSession> MakeSmtpSession(LineIo& io, std::string ehlo_name);
std::unique_ptr<MailSession> MakeSession(Protocol protocol, LineIo& io, std::string ehlo_name);

// ---- shared by the sessions ----

// What the server said at one step of a SASL exchange.
struct SaslStep {
  enum class Kind { kChallenge, kSuccess, kFailure };
  Kind kind = Kind::kFailure;
  std::string payload;  // base64 challenge, or base64 success data (may be empty)
  std::string reply;    // the server's words (status line)
  ErrorKind failure = ErrorKind::kAuth;
};

// Runs a SASL exchange: sends `command` + " " + mechanism (+ initial
// response when allowed), then answers challenges read by `read_step` until
// success or failure; cancels with "*" when the client cannot answer.
Result<std::string> RunSaslExchange(LineIo& io, SaslClient& sasl, const std::string& command,
                                    bool initial_response_allowed,
                                    const std::function<Result<SaslStep>(Deadline)>& read_step,
                                    Deadline deadline);

// A default message for an error kind; the tester words the final one.
Error SessionError(ErrorKind kind, std::string message, std::string server_reply, Phase phase);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_MAIL_SESSION_H_
