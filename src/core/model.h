// The value types that flow through mailscout:
//   ServerCandidate   a server that some source says may work (discover/)
//   SourceStatus      how one discovery source went (discover/)
//   DiscoveryResult   everything discovery found for an address
//   TlsInfo           what a TLS handshake showed (net/)
//   CheckResult       the outcome of testing one server (verify/)
//   Recommendation    the settings setup proposes (recommend/)
//   SetupReport       everything `setup` learned, for printing and exports
// Plain structs without I/O; copyable; serialised by report/ (docs/json.md).
// No field ever holds a password.
#ifndef MAILSCOUT_CORE_MODEL_H_
#define MAILSCOUT_CORE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/phase.h"
#include "core/result.h"
#include "core/types.h"

namespace mailscout {

struct ServerCandidate {
  Protocol protocol = Protocol::kImap;
  std::string host;  // ASCII (A-label) host name, lower case, no trailing dot
  uint16_t port = 0;
  Security security = Security::kTls;
  // Username with placeholders already replaced, e.g. "alice@example.com".
  // Empty when the source did not say (callers then try address and local part).
  std::string username;
  Source source = Source::kGuess;
  Trust trust = Trust::kGuessed;
  // Where exactly it came from: a URL, "SRV _imaps._tcp.example.com", a file.
  std::string detail;
  // ISPDB <authentication> values in source order ("password-cleartext",
  // "password-encrypted", "OAuth2", ...); empty when unknown.
  std::vector<std::string> auth;
  // Order within its source (SRV priority/weight order, file order); lower first.
  int rank = 0;
  // Other sources that named the same protocol/host/port/security.
  std::vector<Source> also_from;
};

struct SourceStatus {
  std::string name;    // a Source name ("srv", "autoconfig", ...) or a sub-step
  std::string status;  // "found", "none", "error", "timeout", "skipped"
  int64_t ms = 0;
  std::string detail;  // what was asked and what came back, in plain words
};

// What the bundled database / ISPDB says about the provider, if anything.
struct ProviderInfo {
  std::string id;            // emailProvider id, e.g. "gmail.com"
  std::string display_name;  // "Google Mail"
  // "password", "app-password" or "oauth2-only" (mailscout's <loginPolicy>).
  std::string login_policy = "password";
  std::string documentation_url;
  // How to create an app password (<appPassword url="...">text</appPassword>).
  std::string app_password_url;
  std::string app_password_text;
};

struct DiscoveryResult {
  std::string email;                        // as typed (Unicode domain if it was)
  std::string domain;                       // ASCII form used for lookups
  std::vector<ServerCandidate> candidates;  // merged, best first per protocol
  std::vector<SourceStatus> sources;
  std::vector<std::string> warnings;
  std::optional<ProviderInfo> provider;
};

struct TlsInfo {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string subject;  // certificate subject, one line
  std::string issuer;
  std::vector<std::string> sans;  // DNS subjectAltNames
  std::string not_before;         // ISO 8601 UTC
  std::string not_after;
  bool chain_ok = false;     // chain verified against the trust store (+ --ca-file)
  bool name_ok = false;      // host name matches (RFC 6125)
  std::string chain_error;   // OpenSSL's reason when !chain_ok, e.g. "certificate has expired"
  int chain_error_code = 0;  // X509_V_ERR_* when !chain_ok
};

// One timed phase of a check, in the order they ran.
struct PhaseTiming {
  Phase phase = Phase::kNone;  // kResolve, kConnect, kTls, kGreeting, kStartTls, kAuth, ...
  int64_t ms = 0;
};

struct CheckResult {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::string username;  // the username tried (empty: no login attempted)
  std::string address;   // the IP address that answered, if any
  bool ok = false;       // every requested step passed
  std::optional<Error> error;
  std::optional<TlsInfo> tls;
  std::vector<std::string> capabilities;     // after TLS, when TLS was used
  std::vector<std::string> auth_mechanisms;  // SASL mechanisms offered
  // STARTTLS checks: the SASL mechanisms (and POP3 "USER") offered in the
  // clear, before the upgrade. A password mechanism here is offered to
  // clients that skip STARTTLS.
  std::vector<std::string> mechanisms_before_tls;
  std::string auth_used;  // "PLAIN", "SCRAM-SHA-256", "LOGIN (IMAP)", "USER/PASS", ...
  bool login_attempted = false;
  bool login_ok = false;
  std::string greeting;  // the server's first line (redacted of nothing: it has no secret)
  std::vector<PhaseTiming> timings;
  int64_t ms = 0;                       // total
  std::vector<std::string> transcript;  // "C: ..." / "S: ..." lines, credentials as ***
  std::string auth_reply;  // the server's final reply to the login (success or failure)
  // This outcome was learned by an earlier connection to the same endpoint
  // in this run and not dialled again (engine/endpoint_memory.h).
  bool recalled = false;
  // Things worth knowing that did not fail the check, e.g. a certificate
  // problem ignored because of --insecure-tls.
  std::vector<std::string> warnings;
};

// A recommended server setting with the evidence for it.
struct Setting {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::string username;
  std::string auth;       // "password-cleartext", "password-encrypted", "OAuth2" (ISPDB words)
  bool verified = false;  // a login succeeded with these exact settings
  Source source = Source::kGuess;
  std::string reason;  // why this one, in plain words
};

// The setting a candidate names, as its source wrote it (not verified; auth
// is its first <authentication> value, empty when the source gave none).
inline Setting SettingOf(const ServerCandidate& c) {
  Setting s;
  s.protocol = c.protocol;
  s.host = c.host;
  s.port = c.port;
  s.security = c.security;
  s.username = c.username;
  if (!c.auth.empty()) s.auth = c.auth.front();
  s.source = c.source;
  return s;
}

struct Recommendation {
  std::optional<Setting> incoming;
  std::optional<Setting> outgoing;
  std::vector<Setting> incoming_alternatives;  // also work, best first
  std::vector<Setting> outgoing_alternatives;
};

// One authentication realm of the login policy (engine/login_policy.h).
struct LoginRealm {
  std::string realm;                  // the server's IP address
  std::vector<std::string> hosts;     // the host names that led there
  int attempts = 0;                   // logins tried in this run
  int failed = 0;                     // of which failed (rejected, or no answer)
  int failed_before = 0;              // failed in earlier runs within the window
  std::vector<std::string> rejected;  // username forms rejected, in order
  std::string accepted;               // the username form that worked
  std::string closed;                 // why no more logins were tried, if so
  bool wrong_password = false;        // every username form was rejected
};

// The login policy's budget and what it saw in one run.
struct LoginPolicyReport {
  int max_failed_per_run = 0;
  int max_failed_in_all = 0;
  int64_t window_seconds = 0;  // of max_failed_in_all; 0: this run only
  std::string ledger;          // the file of earlier runs' failures, if any
  std::string ledger_warning;  // why that file could not be used
  std::string stopped;         // why every further login was stopped, if so
  std::vector<LoginRealm> realms;
};

struct SetupReport {
  DiscoveryResult discovery;
  std::vector<CheckResult> checks;
  Recommendation recommended;
  LoginPolicyReport login_policy;
  std::vector<std::string> warnings;
  bool password_given = false;
  std::string display_name;  // for exports: the account's name if known, else the address
  int64_t ms = 0;            // wall time of the whole setup (discovery + checks)
};

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_MODEL_H_
