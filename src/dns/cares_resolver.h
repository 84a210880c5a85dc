// CaresResolver: the real Resolver, one c-ares channel for every lookup.
//
// c-ares 1.18 has no event thread of its own, so the
// resolver runs one: callers queue a query under a mutex and wait on a
// condition variable until its callback fires or their deadline passes. A
// caller that gives up leaves the query to finish (or time out) inside
// c-ares; its state is shared, so nothing dangles. Thread-safe.
#ifndef MAILSCOUT_DNS_CARES_RESOLVER_H_
#define MAILSCOUT_DNS_CARES_RESOLVER_H_

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "dns/resolver.h"

namespace mailscout {

struct ResolverOptions {
  // "HOST" or "HOST:PORT" (IPv4 or [IPv6]:PORT) entries from --dns-server;
  // empty means /etc/resolv.conf.
  std::vector<std::string> servers;
  int try_timeout_ms = 1000;  // c-ares per-try timeout
  int tries = 3;
};

class CaresResolver : public Resolver {
 public:
  // Returns an Error (message suitable for the user) when c-ares cannot be
  // initialised or a --dns-server entry is not an IP address[:port].
  static Result<std::unique_ptr<CaresResolver>> Create(const ResolverOptions& options);
  ~CaresResolver() override;

  Result<std::vector<std::string>> ResolveHost(const std::string& host, Deadline deadline) override;
  Result<std::vector<SrvRecord>> LookupSrv(const std::string& name, Deadline deadline) override;
  Result<std::vector<MxRecord>> LookupMx(const std::string& domain, Deadline deadline) override;

  class Impl;

 private:
  explicit CaresResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DNS_CARES_RESOLVER_H_
