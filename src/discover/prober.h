// Prober: confirms that a guessed server exists before it becomes a
// candidate. A probe connects, reads the greeting, and checks implicit TLS or
// the STARTTLS capability and upgrade; it never logs in and never sends a
// password. An interface so discovery's unit tests can fake it; the real
// adapter (engine/endpoint_prober.h) uses the tester's probe_only check
// through the run's endpoint memory.
//
// Implementations must be safe to call from many threads at once and must
// return by the deadline.
#ifndef MAILSCOUT_DISCOVER_PROBER_H_
#define MAILSCOUT_DISCOVER_PROBER_H_

#include <atomic>
#include <memory>
#include <string>

#include "core/deadline.h"
#include "core/model.h"

namespace mailscout {

enum class ProbeStatus {
  kConfirmed,    // the server answered with the candidate's security
  kUnreachable,  // no DNS, refused, or no answer in time: nothing listens
  kRejected,     // a server answered but not like this (e.g. no STARTTLS,
                 // TLS failed, wrong protocol)
};

struct ProbeOutcome {
  ProbeStatus status = ProbeStatus::kUnreachable;
  std::string detail;  // plain words: "IMAP greeting and STARTTLS OK", "refused"
};

// Set to true when discovery no longer needs the answer; a probe should
// then stop soon (the tester polls it every ~100 ms). Same type as the
// tester's CancelFlag. May be null.
using ProbeCancel = std::shared_ptr<std::atomic<bool>>;

class Prober {
 public:
  virtual ~Prober() = default;
  // Probes candidate.protocol on candidate.host:port with candidate.security.
  virtual ProbeOutcome Probe(const ServerCandidate& candidate, Deadline deadline,
                             const ProbeCancel& cancel) = 0;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_PROBER_H_
