// EndpointMemory: what one run has learned about each endpoint (protocol,
// host, port, security), shared by discovery's guess probes and setup's
// verification, so no endpoint is dialled twice to learn the same thing.
//
// Check(request) runs the check unless the memory can answer it:
//   - an endpoint that failed before the login (no DNS, refused, no answer,
//     TLS or certificate failure, no STARTTLS, broken protocol) fails the
//     same way for every later asker: the result is recalled, not dialled
//     (CheckResult::recalled). A tarpit or a dropped SYN costs its deadline
//     once per run.
//   - while a first dial of an endpoint has not yet shown whether it works,
//     every other asker waits for it (one dial per endpoint); askers stop
//     waiting at their own deadline or cancel flag.
//   - a probe (probe_only) of an endpoint that some check already passed up
//     to the login is answered from that check, not dialled.
// Once an endpoint is known to work, checks run side by side (several
// username forms, a login after a probe): the login policy, not the memory,
// orders logins.
//
// Outcomes that say nothing about the endpoint are not remembered: a check
// cancelled, or cut by its request's overall deadline.
//
// Thread-safe. The check function must outlive the memory and honour the
// request's deadlines and cancel flag.
#ifndef MAILSCOUT_ENGINE_ENDPOINT_MEMORY_H_
#define MAILSCOUT_ENGINE_ENDPOINT_MEMORY_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "verify/tester.h"

namespace mailscout {

class EndpointMemory {
 public:
  using CheckFn = std::function<CheckResult(const CheckRequest&)>;

  explicit EndpointMemory(CheckFn check) : check_(std::move(check)) {}
  EndpointMemory(const EndpointMemory&) = delete;
  EndpointMemory& operator=(const EndpointMemory&) = delete;

  // Runs or answers one check (see the file comment). Never throws if the
  // check function does not.
  CheckResult Check(const CheckRequest& request);

  // How many times the check function was called for an endpoint (tests).
  int dials(Protocol protocol, const std::string& host, uint16_t port, Security security) const;

  // Whether a result is a failure of the endpoint itself, met before any
  // login: the same for every username and password.
  static bool FailedBeforeLogin(const CheckResult& result);

 private:
  using Key = std::tuple<Protocol, std::string, uint16_t, Security>;
  struct Entry {
    int dials = 0;
    int in_flight = 0;
    bool works = false;                   // some check got up to the login
    std::optional<CheckResult> failure;   // failed before the login
    std::optional<CheckResult> answered;  // a result that passed up to the login
  };

  // The answer for `request` from what `entry` knows, if any (mu_ held).
  std::optional<CheckResult> Answer(const Entry& entry, const CheckRequest& request) const;
  void Learn(const Key& key, const CheckResult& result, bool passed_to_login);

  CheckFn check_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Entry> entries_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_ENDPOINT_MEMORY_H_
