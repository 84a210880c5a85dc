// TCP connections with deadlines, resolving names through the Resolver.
//
// ConnectTcp() resolves a host (c-ares, A and AAAA) and tries each address in
// turn until one accepts, never waiting past the deadlines. Used by the
// tester, the guess probe and the HTTP client. Thread-safe (no shared state).
#ifndef MAILSCOUT_NET_CONNECT_H_
#define MAILSCOUT_NET_CONNECT_H_

#include <cstdint>
#include <string>

#include <Poco/Net/StreamSocket.h>

#include "core/deadline.h"
#include "core/result.h"
#include "dns/resolver.h"

namespace mailscout {

struct TcpConnection {
  Poco::Net::StreamSocket socket;
  std::string address;  // the IP address that accepted
  int64_t resolve_ms = 0;
  int64_t connect_ms = 0;
};

// Errors:
//   kDns                    the host does not resolve (Error::dns says why)
//   kTimeout (Phase::kResolve)  no DNS answer in time
//   kTimeout (Phase::kConnect)  no address answered in time (dropped SYN)
//   kRefused                every address refused or was unreachable
// The connect deadline is shared by all addresses of the host.
Result<TcpConnection> ConnectTcp(Resolver& resolver, const std::string& host, uint16_t port,
                                 Deadline resolve_deadline, Deadline connect_deadline);

}  // namespace mailscout

#endif  // MAILSCOUT_NET_CONNECT_H_
