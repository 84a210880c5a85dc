// VerifyingProber: lets setup verify a guessed server in the same
// connection that discovery uses to confirm it.
//
// Discovery confirms each guessed host name with a probe (connect, TLS or
// STARTTLS, greeting; no login), and setup would then connect again to log
// in. With a password, this Prober logs in right away on the implicit-TLS
// port of a guessed (protocol, host), at most one such login per (protocol,
// host), and keeps the CheckResult; SetupRunner's check function takes it
// from Cached() instead of connecting again. Every other probe is passed to
// the inner Prober unchanged (no login). Credentials only ever go where the
// tester sends them: after a verified TLS handshake.
//
// The outcome mapping is the same as the inner TesterProber's (failures go
// through FailedCheckOutcome, discover/tester_prober.h): answered up
// to the login (login OK or rejected) or a certificate problem -> kConfirmed;
// DNS, refused, timeout -> kUnreachable; the rest -> kRejected.
//
// Thread-safe: Probe() is called from discovery's worker threads, Cached()
// from setup's. The inner prober and the check function must outlive it.
#ifndef MAILSCOUT_RECOMMEND_VERIFYING_PROBER_H_
#define MAILSCOUT_RECOMMEND_VERIFYING_PROBER_H_

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "discover/prober.h"
#include "recommend/setup_runner.h"

namespace mailscout {

class VerifyingProber : public Prober {
 public:
  // `request` holds what every login shares: username (the first form to
  // try), password, allow_plaintext, transcript, timeouts. Without a
  // password every probe goes to `inner`.
  VerifyingProber(Prober& inner, CheckFn check, CheckRequest request);

  ProbeOutcome Probe(const ServerCandidate& candidate, Deadline deadline,
                     const ProbeCancel& cancel) override;

  // The result of a login this prober made for exactly this request
  // (protocol, host, port, security, username), removed from the cache so
  // it is used once; nullopt when there is none.
  std::optional<CheckResult> Cached(const CheckRequest& request);

 private:
  using Key = std::tuple<Protocol, std::string, uint16_t, Security, std::string>;

  Prober& inner_;
  CheckFn check_;
  CheckRequest base_;
  std::mutex mu_;
  std::set<std::pair<Protocol, std::string>> claimed_;  // one login per (protocol, host)
  std::map<Key, CheckResult> cache_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_RECOMMEND_VERIFYING_PROBER_H_
