// Fake mail servers for the engine's unit tests: a CheckFn that behaves like
// the tester (deadlines, cancel flag, on_ready, the login gate) against
// scripted servers, and records every call.
#ifndef MAILSCOUT_TESTS_UNIT_ENGINE_FAKE_SERVERS_H_
#define MAILSCOUT_TESTS_UNIT_ENGINE_FAKE_SERVERS_H_

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "verify/tester.h"

namespace mailscout {

// How one fake server behaves.
struct Behaviour {
  int delay_ms = 0;               // before answering up to the login
  bool hang = false;              // never answers (until cancelled or the deadline)
  std::string accepts = "*";      // the only username accepted ("*": any)
  std::optional<ErrorKind> fail;  // fails before the login with this kind
  int auth_ms = 0;                // how long the login takes to answer
};

inline Behaviour Ok() { return {}; }
inline Behaviour Slow(int ms) {
  Behaviour b;
  b.delay_ms = ms;
  return b;
}
inline Behaviour Fails(ErrorKind kind, int after_ms = 0) {
  Behaviour b;
  b.delay_ms = after_ms;
  b.fail = kind;
  return b;
}
inline Behaviour Hangs() {
  Behaviour b;
  b.hang = true;
  return b;
}
inline Behaviour Accepts(const std::string& user, int auth_ms = 0) {
  Behaviour b;
  b.accepts = user;
  b.auth_ms = auth_ms;
  return b;
}

// One login the fake servers saw.
struct Login {
  std::string host;
  uint16_t port = 0;
  std::string username;
  bool ok = false;
  Clock::time_point start;
  Clock::time_point end;
};

class FakeServers {
 public:
  void Set(const std::string& host, uint16_t port, Behaviour b) { servers_[{host, port}] = b; }
  // The IP address a host answers from (default: the host name itself).
  void SetAddress(const std::string& host, const std::string& ip) { addresses_[host] = ip; }

  CheckResult Check(const CheckRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(r);
      call_times_.push_back(Clock::now());
      int now = ++running_[r.host];
      max_running_[r.host] = std::max(max_running_[r.host], now);
    }
    CheckResult res = Run(r);
    std::lock_guard<std::mutex> lock(mu_);
    --running_[r.host];
    return res;
  }

  std::vector<CheckRequest> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<Clock::time_point> call_times() {
    std::lock_guard<std::mutex> lock(mu_);
    return call_times_;
  }
  std::vector<Login> logins() {
    std::lock_guard<std::mutex> lock(mu_);
    return logins_;
  }
  int failed_logins() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(
        std::count_if(logins_.begin(), logins_.end(), [](const Login& l) { return !l.ok; }));
  }
  int max_running(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    return max_running_[host];
  }

 private:
  // Sleeps ms, or returns the phase that stopped it early.
  static std::optional<Phase> Wait(const CheckRequest& r, int ms, bool forever) {
    auto until = Clock::now() + std::chrono::milliseconds(forever ? 600000 : ms);
    while (Clock::now() < until) {
      if (r.cancelled && r.cancelled->load()) return Phase::kCancelled;
      if (r.overall && r.overall->expired()) return Phase::kOverall;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return std::nullopt;
  }

  CheckResult Run(const CheckRequest& r) {
    Behaviour b;
    auto it = servers_.find({r.host, r.port});
    if (it != servers_.end()) b = it->second;
    CheckResult res;
    res.protocol = r.protocol;
    res.host = r.host;
    res.port = r.port;
    res.security = r.security;
    res.username = r.username;
    res.address = addresses_.count(r.host) ? addresses_[r.host] : r.host;
    if (std::optional<Phase> stopped = Wait(r, b.delay_ms, b.hang)) {
      res.error = Error::Make(ErrorKind::kTimeout, "stopped", "", *stopped);
      return res;
    }
    if (it == servers_.end() || b.fail) {
      res.error = Error::Make(b.fail.value_or(ErrorKind::kRefused), "fails", "",
                              b.fail == ErrorKind::kTimeout ? Phase::kTls : Phase::kConnect);
      return res;
    }
    if (r.security != Security::kPlain) {
      res.tls = TlsInfo{};
      res.tls->chain_ok = res.tls->name_ok = true;
    }
    if (r.on_ready) r.on_ready(res);
    if (r.username.empty() || !r.password || r.probe_only) {
      res.ok = true;
      return res;
    }
    if (r.security == Security::kPlain && !r.allow_plaintext) {
      res.error = Error::Make(ErrorKind::kCleartextRefused, "refused to send", "", Phase::kAuth);
      return res;
    }
    std::string user = r.username;
    if (r.login_gate != nullptr) {
      std::string why;
      std::optional<std::string> form =
          r.login_gate->Acquire(res.address, r.overall.value_or(Deadline::AfterMs(60000)), &why);
      if (!form) {
        res.error = Error::Make(ErrorKind::kNotTried, why, "", Phase::kSkipped);
        return res;
      }
      user = *form;
      res.username = user;
    }
    Login login{r.host, r.port, user, false, Clock::now(), {}};
    res.login_attempted = true;
    std::optional<Phase> stopped = Wait(r, b.auth_ms, false);
    if (stopped) {
      res.error = Error::Make(ErrorKind::kTimeout, "no answer to the login", "", Phase::kAuth);
    } else if ((b.accepts == "*" || b.accepts == user) && *r.password == "right") {
      res.ok = res.login_ok = true;
      res.auth_used = "PLAIN";
      login.ok = true;
    } else {
      res.error = Error::Make(ErrorKind::kAuth, "rejected " + user, "", Phase::kAuth);
    }
    login.end = Clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      logins_.push_back(login);
    }
    if (r.login_gate != nullptr) r.login_gate->Release(res.address, user, res.error);
    return res;
  }

  std::map<std::pair<std::string, uint16_t>, Behaviour> servers_;
  std::map<std::string, std::string> addresses_;
  std::mutex mu_;
  std::vector<CheckRequest> calls_;
  std::vector<Clock::time_point> call_times_;
  std::vector<Login> logins_;
  std::map<std::string, int> running_;
  std::map<std::string, int> max_running_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_UNIT_ENGINE_FAKE_SERVERS_H_
