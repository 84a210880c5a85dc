// FakeResolver: a Resolver answering from tables, for unit tests.
// Unknown names answer kDns (DnsOutcome::kNxDomain); names listed in `hang`
// never answer and return kTimeout when the deadline passes; names listed in
// `failing` answer kDns with DnsOutcome::kResolverFailure (a SERVFAIL) and
// `failure_message`. Thread-safe after setup.
#ifndef MAILSCOUT_TESTS_SUPPORT_FAKE_RESOLVER_H_
#define MAILSCOUT_TESTS_SUPPORT_FAKE_RESOLVER_H_

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dns/resolver.h"

namespace mailscout {

class FakeResolver : public Resolver {
 public:
  std::map<std::string, std::vector<std::string>> hosts;
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::vector<MxRecord>> mx;
  std::set<std::string> hang;
  std::set<std::string> failing;
  std::string failure_message = "The DNS server failed to answer (SERVFAIL)";

  Result<std::vector<std::string>> ResolveHost(const std::string& host,
                                               Deadline deadline) override {
    if (auto e = Wait(host, deadline)) return *e;
    auto it = hosts.find(host);
    if (it == hosts.end()) return Missing(host);
    return it->second;
  }
  Result<std::vector<SrvRecord>> LookupSrv(const std::string& name, Deadline deadline) override {
    if (auto e = Wait(name, deadline)) return *e;
    auto it = srv.find(name);
    if (it == srv.end()) return Missing(name);
    return it->second;
  }
  Result<std::vector<MxRecord>> LookupMx(const std::string& domain, Deadline deadline) override {
    if (auto e = Wait(domain, deadline)) return *e;
    auto it = mx.find(domain);
    if (it == mx.end()) return Missing(domain);
    return it->second;
  }

 private:
  std::optional<Error> Wait(const std::string& name, Deadline deadline) {
    if (failing.count(name) > 0) {
      Error e = Error::Make(ErrorKind::kDns, failure_message, {}, Phase::kResolve);
      e.dns = DnsOutcome::kResolverFailure;
      return e;
    }
    if (hang.count(name) == 0) return std::nullopt;
    std::this_thread::sleep_until(deadline.at());
    return Error::Make(ErrorKind::kTimeout, "DNS timeout for " + name, {}, Phase::kResolve);
  }
  static Error Missing(const std::string& name) {
    Error e = Error::Make(ErrorKind::kDns, "The name " + name + " does not exist (NXDOMAIN)", {},
                          Phase::kResolve);
    e.dns = DnsOutcome::kNxDomain;
    return e;
  }
};

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_SUPPORT_FAKE_RESOLVER_H_
