// Phase: the step of a check (or of setup's scheduling) an Error or a
// timing belongs to.
//
// Error::phase and PhaseTiming::phase hold one; report/ writes it with
// ToString() and reads it back with ParsePhase(). The names are part of the
// JSON schema (docs/json.md: `error.phase` and the keys of `timings`); never
// change one without updating both. Pure values, thread-safe.
#ifndef MAILSCOUT_CORE_PHASE_H_
#define MAILSCOUT_CORE_PHASE_H_

#include <optional>
#include <string_view>

namespace mailscout {

enum class Phase {
  kNone,          // ""             not tied to a step (the JSON shows null)
  kResolve,       // "resolve"      DNS lookup of the host (also every error from dns/)
  kConnect,       // "connect"      TCP connection
  kTls,           // "tls"          TLS handshake (implicit TLS, or after STARTTLS)
  kGreeting,      // "greeting"     the server's first line
  kCapabilities,  // "capabilities" CAPABILITY / CAPA / EHLO
  kStartTls,      // "starttls"     the STARTTLS / STLS command
  kAuth,          // "auth"         the login
  kLogout,        // "logout"       LOGOUT / QUIT
  kOverall,       // "overall"      the whole check ran past its hard deadline (--timeout)
  kCancelled,     // "cancelled"    the caller stopped the check
  kSkipped,       // "skipped"      setup did not run the check at all
};

// The stable name above; "" for kNone.
std::string_view ToString(Phase p);

// The Phase of a stable name ("" gives kNone); nullopt for anything else.
std::optional<Phase> ParsePhase(std::string_view s);

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_PHASE_H_
