// Fakes for discovery's unit tests: an HttpClient answering from a table
// (with delays and hangs bounded by the caller's deadline) and a Prober
// answering from a table. Both record what they were asked. Thread-safe.
#ifndef MAILSCOUT_TESTS_UNIT_DISCOVER_FAKES_H_
#define MAILSCOUT_TESTS_UNIT_DISCOVER_FAKES_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "discover/prober.h"
#include "net/http_client.h"

namespace mailscout {

class FakeHttp : public HttpClient {
 public:
  struct Answer {
    int status = 200;
    std::string body;
    std::map<std::string, std::string> headers;
    int delay_ms = 0;   // answer after this long (or time out first)
    bool hang = false;  // never answer: kTimeout at the deadline
    std::optional<Error> error;
  };
  // Key: the exact URL (query included), or "POST url" for a POST only.
  std::map<std::string, Answer> answers;

  Result<HttpResponse> Fetch(const HttpRequest& request, Deadline deadline) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    const Answer* answer = nullptr;
    auto it = answers.find(request.method + " " + request.url);
    if (it == answers.end()) it = answers.find(request.url);
    if (it != answers.end()) answer = &it->second;
    if (answer == nullptr) {
      // Like CaresResolver's NXDOMAIN, which discovery treats as "nothing
      // there" rather than a failing DNS server.
      Error nxdomain =
          Error::Make(ErrorKind::kDns, "The name of " + request.url + " does not exist (NXDOMAIN)",
                      {}, Phase::kResolve);
      nxdomain.dns = DnsOutcome::kNxDomain;
      return nxdomain;
    }
    if (answer->hang || answer->delay_ms > 0) {
      auto until = answer->hang ? deadline.at()
                                : std::min(deadline.at(), Clock::now() + Millis(answer->delay_ms));
      std::this_thread::sleep_until(until);
      if (answer->hang || deadline.expired()) {
        return Error::Make(ErrorKind::kTimeout, "no answer from " + request.url);
      }
    }
    if (answer->error) return *answer->error;
    if (answer->body.size() > request.max_body_bytes) {
      return Error::Make(ErrorKind::kProtocol, "too large");
    }
    HttpResponse response;
    response.status = answer->status;
    response.body = answer->body;
    response.headers = answer->headers;
    response.https = request.url.rfind("https://", 0) == 0;
    return response;
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  bool Asked(const std::string& url) const {
    for (const auto& r : requests()) {
      if (r.url == url) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

class FakeProber : public Prober {
 public:
  // Key: "host:port:security" (security as ToString: tls/starttls/plain).
  std::map<std::string, ProbeOutcome> outcomes;
  int delay_ms = 0;

  ProbeOutcome Probe(const ServerCandidate& c, Deadline deadline,
                     const ProbeCancel& cancel) override {
    const std::string key =
        c.host + ":" + std::to_string(c.port) + ":" + std::string(ToString(c.security));
    {
      std::lock_guard<std::mutex> lock(mu_);
      probed_.push_back(key);
    }
    if (delay_ms > 0) {
      std::this_thread::sleep_until(std::min(deadline.at(), Clock::now() + Millis(delay_ms)));
    }
    auto it = outcomes.find(key);
    if (it == outcomes.end()) return {ProbeStatus::kUnreachable, "refused"};
    return it->second;
  }

  std::vector<std::string> probed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return probed_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> probed_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_UNIT_DISCOVER_FAKES_H_
