#include "engine/endpoint_memory.h"

#include <utility>

namespace mailscout {
namespace {

// How often a waiting asker looks at its own cancel flag.
constexpr Millis kWaitPoll{50};

CheckResult Stopped(const CheckRequest& request, Phase phase, const std::string& message) {
  CheckResult result;
  result.protocol = request.protocol;
  result.host = request.host;
  result.port = request.port != 0 ? request.port : DefaultPort(request.protocol, request.security);
  result.security = request.security;
  result.username = request.username;
  result.error = Error::Make(ErrorKind::kTimeout, message, {}, phase);
  return result;
}

bool SaysNothingAboutEndpoint(const CheckResult& result) {
  return result.error &&
         (result.error->phase == Phase::kCancelled || result.error->phase == Phase::kOverall);
}

}  // namespace

bool EndpointMemory::FailedBeforeLogin(const CheckResult& result) {
  if (result.ok || !result.error || result.login_attempted) return false;
  if (SaysNothingAboutEndpoint(result)) return false;
  const Phase phase = result.error->phase;
  if (phase == Phase::kAuth || phase == Phase::kSkipped) return false;
  switch (result.error->kind) {
    case ErrorKind::kDns:
    case ErrorKind::kRefused:
    case ErrorKind::kTimeout:
    case ErrorKind::kTls:
    case ErrorKind::kCertificate:
    case ErrorKind::kStartTlsMissing:
    case ErrorKind::kProtocol:
      return true;
    default:
      return false;
  }
}

std::optional<CheckResult> EndpointMemory::Answer(const Entry& entry,
                                                  const CheckRequest& request) const {
  if (entry.failure) {
    CheckResult recalled = *entry.failure;
    recalled.username = request.username;
    recalled.transcript.clear();
    recalled.recalled = true;
    return recalled;
  }
  if (request.probe_only && entry.answered) {
    CheckResult recalled = *entry.answered;
    recalled.username.clear();
    recalled.transcript.clear();
    recalled.recalled = true;
    return recalled;
  }
  return std::nullopt;
}

void EndpointMemory::Learn(const Key& key, const CheckResult& result, bool passed_to_login) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& entry = entries_[key];
  if (passed_to_login) {
    entry.works = true;
    entry.failure.reset();
    if (!entry.answered) {
      // What a probe would have seen: everything up to the login.
      CheckResult answered = result;
      answered.ok = true;
      answered.error.reset();
      answered.login_attempted = false;
      answered.login_ok = false;
      answered.auth_used.clear();
      answered.auth_reply.clear();
      entry.answered = std::move(answered);
    }
  } else if (!entry.works && FailedBeforeLogin(result)) {
    entry.failure = result;
  }
  cv_.notify_all();
}

CheckResult EndpointMemory::Check(const CheckRequest& request) {
  const uint16_t port =
      request.port != 0 ? request.port : DefaultPort(request.protocol, request.security);
  const Key key{request.protocol, request.host, port, request.security};
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      Entry& entry = entries_[key];
      if (std::optional<CheckResult> answer = Answer(entry, request)) return *answer;
      if (entry.works || entry.in_flight == 0) {
        ++entry.in_flight;
        ++entry.dials;
        break;
      }
      // Another dial of this endpoint has not yet shown whether it works:
      // wait for it rather than dial the same silent port again.
      cv_.wait_for(lock, kWaitPoll);
      if (request.cancelled && request.cancelled->load()) {
        return Stopped(request, Phase::kCancelled, "cancelled");
      }
      if (request.overall && request.overall->expired()) {
        return Stopped(request, Phase::kOverall, "out of time");
      }
    }
  }

  CheckRequest dial = request;
  dial.on_ready = [this, key, next = request.on_ready](const CheckResult& so_far) {
    Learn(key, so_far, /*passed_to_login=*/true);
    if (next) next(so_far);
  };
  CheckResult result = check_(dial);
  dial.password.reset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    --entries_[key].in_flight;
  }
  const bool passed = result.ok || result.login_attempted ||
                      (result.error && (result.error->phase == Phase::kAuth ||
                                        result.error->phase == Phase::kSkipped));
  Learn(key, result, passed);
  return result;
}

int EndpointMemory::dials(Protocol protocol, const std::string& host, uint16_t port,
                          Security security) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find({protocol, host, port, security});
  return it == entries_.end() ? 0 : it->second.dials;
}

}  // namespace mailscout
