#include "engine/endpoint_prober.h"

#include <algorithm>

namespace mailscout {

ProbeOutcome EndpointProber::Probe(const ServerCandidate& candidate, Deadline deadline,
                                   const ProbeCancel& cancel) {
  CheckRequest request;
  request.protocol = candidate.protocol;
  request.host = candidate.host;
  request.port = candidate.port;
  request.security = candidate.security;
  request.probe_only = true;
  request.timeouts = PhaseTimeouts::All(std::max(deadline.remaining(), Millis(1)));
  request.overall = deadline;
  request.cancelled = cancel;
  return ProbeOutcomeOf(candidate.protocol, memory_.Check(request));
}

ProbeOutcome ProbeOutcomeOf(Protocol protocol, const CheckResult& result) {
  ProbeOutcome outcome;
  const std::string name(DisplayName(protocol));
  if (result.ok) {
    outcome.status = ProbeStatus::kConfirmed;
    outcome.detail = name + (result.security == Security::kTls        ? " over TLS answered"
                             : result.security == Security::kStartTls ? " STARTTLS works"
                                                                      : " answered (no TLS)");
    if (!result.greeting.empty()) outcome.detail += " (" + result.greeting.substr(0, 80) + ")";
    return outcome;
  }
  const Error error = result.error.value_or(Error::Make(ErrorKind::kProtocol, "probe failed"));
  outcome.detail = error.message;
  switch (error.kind) {
    case ErrorKind::kDns:
    case ErrorKind::kRefused:
    case ErrorKind::kTimeout:
    case ErrorKind::kNotTried:
      outcome.status = ProbeStatus::kUnreachable;
      break;
    case ErrorKind::kCertificate:
      outcome.status = ProbeStatus::kConfirmed;
      outcome.detail = name + " answered, but: " + error.message;
      break;
    default:
      outcome.status = ProbeStatus::kRejected;
  }
  return outcome;
}

}  // namespace mailscout
