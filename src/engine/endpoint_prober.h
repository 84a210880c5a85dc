// EndpointProber: discovery's Prober (discover/prober.h) made of the
// tester's probe_only check (resolve, connect, TLS or STARTTLS,
// capabilities; never a login), asked through the run's EndpointMemory so a
// guess probe and setup's verification of the same endpoint share one dial.
//
// Outcome mapping: ok -> kConfirmed; DNS, refused, timeout, cancelled ->
// kUnreachable; STARTTLS missing, TLS failure, protocol error -> kRejected.
// A certificate problem still proves a server of that protocol answers with
// that security, so it is kConfirmed and the problem is named in the detail
// (verification reports it again). Thread-safe: EndpointMemory is.
#ifndef MAILSCOUT_ENGINE_ENDPOINT_PROBER_H_
#define MAILSCOUT_ENGINE_ENDPOINT_PROBER_H_

#include "discover/prober.h"
#include "engine/endpoint_memory.h"

namespace mailscout {

class EndpointProber : public Prober {
 public:
  // memory must outlive the prober.
  explicit EndpointProber(EndpointMemory& memory) : memory_(memory) {}

  ProbeOutcome Probe(const ServerCandidate& candidate, Deadline deadline,
                     const ProbeCancel& cancel) override;

 private:
  EndpointMemory& memory_;
};

// The outcome of a check by the mapping above.
ProbeOutcome ProbeOutcomeOf(Protocol protocol, const CheckResult& result);

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_ENDPOINT_PROBER_H_
