// Resolver: every DNS question mailscout asks (host addresses, SRV, MX).
//
// An interface so discovery and the tester can run against a fake in unit
// tests; the real implementation (cares_resolver.h) uses one c-ares channel.
// Implementations must be safe to call from many threads at once.
//
// Failures are values with Phase::kResolve: a failed lookup is
// ErrorKind::kDns with a message naming the name and Error::dns saying what
// the answer meant (DnsOutcome::kNxDomain, kNoRecords, kResolverFailure; see
// LookupError in answer.h); no answer before the deadline is
// ErrorKind::kTimeout. A name that exists but has no records of the asked
// type is not an error for SRV and MX (an empty vector); ResolveHost returns
// kDns with kNoRecords, since a host with no address cannot be used. An
// invalid name is kDns without an outcome (nothing was asked).
#ifndef MAILSCOUT_DNS_RESOLVER_H_
#define MAILSCOUT_DNS_RESOLVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/result.h"

namespace mailscout {

struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  // lower case, no trailing dot; "." means "service not offered"
};

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // lower case, no trailing dot
};

class Resolver {
 public:
  virtual ~Resolver() = default;

  // IPv6 and IPv4 addresses of host as text ("::1", "127.0.0.1"), in the
  // order to try them (IPv6 first when both exist, as RFC 6724 suggests for
  // dual-stacked hosts). A literal IP address is returned as it is.
  virtual Result<std::vector<std::string>> ResolveHost(const std::string& host,
                                                       Deadline deadline) = 0;

  // SRV records for a full name such as "_imaps._tcp.example.com", as the
  // server sent them (ordering per RFC 2782 is the caller's job: OrderSrv()).
  virtual Result<std::vector<SrvRecord>> LookupSrv(const std::string& name, Deadline deadline) = 0;

  // MX records of domain, sorted by preference (lowest first).
  virtual Result<std::vector<MxRecord>> LookupMx(const std::string& domain, Deadline deadline) = 0;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DNS_RESOLVER_H_
