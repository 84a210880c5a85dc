#include "recommend/verifying_prober.h"

#include <utility>

#include "discover/tester_prober.h"

namespace mailscout {

VerifyingProber::VerifyingProber(Prober& inner, CheckFn check, CheckRequest request)
    : inner_(inner), check_(std::move(check)), base_(std::move(request)) {}

ProbeOutcome VerifyingProber::Probe(const ServerCandidate& candidate, Deadline deadline,
                                    const ProbeCancel& cancel) {
  if (!base_.password || candidate.security != Security::kTls) {
    return inner_.Probe(candidate, deadline, cancel);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!claimed_.insert({candidate.protocol, candidate.host}).second) {
      return inner_.Probe(candidate, deadline, cancel);
    }
  }
  CheckRequest request = base_;
  request.protocol = candidate.protocol;
  request.host = candidate.host;
  request.port = candidate.port;
  request.security = candidate.security;
  request.overall = request.overall ? Deadline::Earliest(*request.overall, deadline) : deadline;
  request.cancelled = cancel;
  CheckResult result = check_(request);
  request.password.reset();

  const bool reached_login = result.ok || result.login_attempted;
  const bool cancelled = result.error && result.error->phase == Phase::kCancelled;
  if (reached_login && !cancelled) {
    std::lock_guard<std::mutex> lock(mu_);
    cache_[{request.protocol, request.host, request.port, request.security, request.username}] =
        result;
  }
  if (reached_login) {
    ProbeOutcome outcome;
    const std::string name(DisplayName(candidate.protocol));
    outcome.status = ProbeStatus::kConfirmed;
    outcome.detail = name + " over TLS answered" +
                     (result.login_ok ? " and the login worked" : "") +
                     (result.greeting.empty() ? "" : " (" + result.greeting.substr(0, 80) + ")");
    return outcome;
  }
  return FailedCheckOutcome(candidate.protocol, result);
}

std::optional<CheckResult> VerifyingProber::Cached(const CheckRequest& request) {
  if (!request.password) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(
      {request.protocol, request.host, request.port, request.security, request.username});
  if (it == cache_.end()) return std::nullopt;
  CheckResult result = std::move(it->second);
  cache_.erase(it);
  return result;
}

}  // namespace mailscout
