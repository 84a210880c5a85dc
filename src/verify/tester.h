// Tester: logs in to one mail server (IMAP, POP3 or SMTP submission) with one
// security type and says exactly what happened.
//
// One Check() runs the phases in order, each under its own deadline and all
// under CheckRequest::overall:
//   resolve   host -> addresses through the Resolver (c-ares), IPv6 and IPv4
//   connect   try each address in turn
//   tls       implicit TLS (Security::kTls) handshake via TlsClient
//   greeting  the server's first line (IMAP "* OK", POP3 "+OK", SMTP "220")
//   starttls  capabilities, STARTTLS/STLS, handshake, capabilities again
//   capabilities  IMAP CAPABILITY / POP3 CAPA / SMTP EHLO (again after TLS)
//   auth      the strongest SASL mechanism both sides support (SCRAM-SHA-256,
//             SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN; XOAUTH2/OAUTHBEARER with an
//             OAuth token), then IMAP LOGIN / POP3 USER+PASS as fallbacks
//   logout    LOGOUT / QUIT (best effort, never turns a pass into a failure)
//
// Results are values: Check() never throws and always returns a CheckResult
// whose `error` holds exactly one ErrorKind when ok == false:
//   kDns               the host does not resolve
//   kRefused           every address refused (or was unreachable)
//   kTimeout           a phase ran out of time (its own budget or the
//                      request's overall deadline); Error::phase names it
//                      ("resolve", "connect", "tls", "greeting", "starttls",
//                      "capabilities", "auth") or is "cancelled"
//   kTls               the TLS handshake failed
//   kCertificate       untrusted / self-signed / expired / wrong name (message
//                      says which); with TlsOptions::insecure the check goes
//                      on and the problem is only reported in `tls`/`warnings`
//   kStartTlsMissing   security starttls, but the server does not offer
//                      STARTTLS/STLS or refuses it
//   kAuth              credentials rejected (server's words in server_reply)
//   kAuthMechanism     no usable login method (e.g. IMAP LOGINDISABLED and
//                      no SASL mechanism, or only mechanisms we lack)
//   kCleartextRefused  security plain, a password given, no allow_plaintext:
//                      decided BEFORE any credential is sent (capabilities
//                      are still reported)
//   kProtocol          the server broke the protocol (garbage, over-long
//                      line, unexpected close, endless multi-line reply)
//
// The password and OAuth token are never copied into the result: the
// transcript replaces credentials and SASL payloads with "***".
//
// Threads: a Tester holds only a reference to a thread-safe Resolver and a
// way to reach a thread-safe TlsClient, so Check() may run from many threads
// at once. The Resolver and TlsClient must outlive the Tester. The first
// Tester ignores SIGPIPE process-wide (a server closing while we write must
// not kill the process).
#ifndef MAILSCOUT_VERIFY_TESTER_H_
#define MAILSCOUT_VERIFY_TESTER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/model.h"
#include "core/types.h"
#include "dns/resolver.h"
#include "net/tls.h"

namespace mailscout {

// Budget for each phase; each is further capped by CheckRequest::overall.
struct PhaseTimeouts {
  Millis resolve{5000};
  Millis connect{5000};
  Millis tls{5000};
  Millis greeting{5000};
  Millis command{5000};  // each command/reply exchange (CAPABILITY, EHLO, STARTTLS, ...)
  // The whole login exchange. Long on purpose: servers delay the answer to
  // a failed login (Dovecot 2 s, up to 15 s with its per-IP penalty), and a
  // slow rejection is still a rejection (--auth-timeout).
  Millis auth{20000};

  // Every phase set to `each` (used by --timeout to keep phases short).
  static PhaseTimeouts All(Millis each) { return {each, each, each, each, each, each}; }
};

// Decides, right before credentials are sent, whether a check logs in and
// with which username. Setup uses it to serialize the logins to one server
// and to learn which username form works (engine/login_policy.h); a check
// without a gate logs in as CheckRequest::username at once.
// Implementations are called from many checks' threads at once.
class LoginGate {
 public:
  virtual ~LoginGate() = default;
  // Called once the check is connected to `address` (the IP that answered)
  // and everything up to the login passed. May block until this login may
  // go, but never past `deadline`. Returns the username to send, or nullopt
  // with *why set: the check then ends without a login as ErrorKind::kNotTried
  // (phase skipped), with *why as its message.
  virtual std::optional<std::string> Acquire(const std::string& address, Deadline deadline,
                                             std::string* why) = 0;
  // Called exactly once after every Acquire() that returned a username, as
  // soon as the server answered the login (error empty: accepted) or the
  // login failed or ran out of time (error holds why).
  virtual void Release(const std::string& address, const std::string& username,
                       const std::optional<Error>& error) = 0;
};

// Shared flag a caller sets to stop checks early (e.g. setup has its answer).
// Checked between phases and at least every kCancelPollMs during reads and
// connects; a cancelled check returns kTimeout with phase "cancelled".
using CancelFlag = std::shared_ptr<std::atomic<bool>>;
inline CancelFlag MakeCancelFlag() { return std::make_shared<std::atomic<bool>>(false); }
constexpr int64_t kCancelPollMs = 100;

struct CheckRequest {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;  // 0: DefaultPort(protocol, security)
  Security security = Security::kTls;
  std::string username;                    // empty: no login (like probe_only)
  std::optional<std::string> password;     // none: check everything up to login
  std::optional<std::string> oauth_token;  // XOAUTH2 / OAUTHBEARER bearer token
  // When the token expires (Unix seconds), if known: a refusal of an expired
  // token says so (error.reason "token-expired").
  std::optional<int64_t> oauth_token_expiry;
  bool allow_plaintext = false;  // permit sending credentials without TLS
  // Connect, TLS/STARTTLS and capabilities only; never log in (cheap probe
  // for discovery's guesses).
  bool probe_only = false;
  bool transcript = false;  // fill CheckResult::transcript (redacted)
  PhaseTimeouts timeouts;
  // Hard end for the whole check (--timeout); none: sum of phases applies.
  std::optional<Deadline> overall;
  CancelFlag cancelled;  // optional
  // Name sent in SMTP EHLO; empty: the local address as "[192.0.2.1]".
  std::string ehlo_name;
  // Optional: decides whether and as whom to log in (see LoginGate). Must
  // outlive the check.
  LoginGate* login_gate = nullptr;
  // Optional: called once, from the checking thread, as soon as everything
  // up to the login passed (before the gate is asked): the endpoint is known
  // to work, whatever the login will say. Receives the result so far.
  std::function<void(const CheckResult& so_far)> on_ready;
  // Force one SASL mechanism by name ("PLAIN", "SCRAM-SHA-1", ...), or
  // "PASSWORD" for the protocol's own command (IMAP LOGIN, POP3 USER/PASS);
  // empty: the strongest both sides support.
  std::string mechanism;
};

// Hands out the TlsClient when a check first needs it (may block, e.g. until
// a background thread has loaded the CA certificates). Must be thread-safe
// and return the same object every time.
using TlsSource = std::function<const TlsClient&()>;

class Tester {
 public:
  // Both must outlive the Tester; both are used concurrently.
  Tester(Resolver& resolver, const TlsClient& tls);
  // Same, but the TlsClient is asked for only when a handshake is due, so a
  // caller can build it (setting up OpenSSL takes ~2 ms) while
  // the check resolves and connects. Plain checks never ask for it.
  Tester(Resolver& resolver, TlsSource tls);

  // Runs one check (see the file comment). Never throws.
  CheckResult Check(const CheckRequest& request) const;

  // Runs every request in parallel (at most max_parallel at once) and returns
  // the results in request order. Never throws.
  std::vector<CheckResult> CheckAll(const std::vector<CheckRequest>& requests,
                                    size_t max_parallel = 4) const;

 private:
  Resolver& resolver_;
  TlsSource tls_;
};

// `--security all`: one request per standard port/security pair of the
// protocol (IMAP 993 tls, 143 starttls, 143 plain; POP3 995 tls, 110
// starttls, 110 plain; SMTP 465 tls, 587 starttls, 587 plain), copying
// everything else from `base`. Callers drop the plain one when they would
// only get kCleartextRefused from it.
std::vector<CheckRequest> ExpandAllSecurities(const CheckRequest& base);

}  // namespace mailscout

#endif  // MAILSCOUT_VERIFY_TESTER_H_
