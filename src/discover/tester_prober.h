// TesterProber: the real Prober, a thin adapter over the tester's
// probe_only check (verify/tester.h): resolve, connect, TLS or STARTTLS,
// capabilities; never a login.
//
// Outcome mapping: ok -> kConfirmed; DNS, refused, timeout, cancelled ->
// kUnreachable; STARTTLS missing, TLS failure, protocol error ->
// kRejected. A certificate problem still proves a server of that protocol
// answers with that security, so it is kConfirmed and the problem is named
// in the detail (the tester reports it again when the server is checked).
// Thread-safe: Tester::Check is.
#ifndef MAILSCOUT_DISCOVER_TESTER_PROBER_H_
#define MAILSCOUT_DISCOVER_TESTER_PROBER_H_

#include <functional>

#include "discover/prober.h"

namespace mailscout {

class Tester;

class TesterProber : public Prober {
 public:
  // tester must outlive the prober.
  explicit TesterProber(const Tester& tester)
      : tester_([&tester]() -> const Tester& { return tester; }) {}
  // The Tester is asked for at the first probe (it may be built lazily);
  // the getter is called from many threads.
  explicit TesterProber(std::function<const Tester&()> tester) : tester_(std::move(tester)) {}

  ProbeOutcome Probe(const ServerCandidate& candidate, Deadline deadline,
                     const ProbeCancel& cancel) override;

 private:
  std::function<const Tester&()> tester_;
};

// The outcome of a check that did not get through (result.ok is false), by
// the mapping above: DNS, refused, timeout -> kUnreachable; a certificate
// problem -> kConfirmed ("IMAP answered, but: <message>"); anything else,
// or no error at all ("probe failed"), -> kRejected. The detail is the
// error's message. Shared with VerifyingProber (recommend/).
ProbeOutcome FailedCheckOutcome(Protocol protocol, const CheckResult& result);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_TESTER_PROBER_H_
