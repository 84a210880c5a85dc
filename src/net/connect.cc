#include "net/connect.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

namespace mailscout {

Result<TcpConnection> ConnectTcp(Resolver& resolver, const std::string& host, uint16_t port,
                                 Deadline resolve_deadline, Deadline connect_deadline) {
  TcpConnection connection;
  const auto resolve_start = Clock::now();
  Result<std::vector<std::string>> addresses = resolver.ResolveHost(host, resolve_deadline);
  connection.resolve_ms = MsSince(resolve_start);
  if (!addresses.ok()) {
    Error error = addresses.error();
    if (error.kind == ErrorKind::kTimeout) {
      error.message = "The DNS lookup of " + host + " timed out";
      error.phase = Phase::kResolve;
    }
    return error;
  }

  const auto connect_start = Clock::now();
  std::string last_problem;
  bool timed_out = false;
  const std::string where = host + " port " + std::to_string(port);
  for (const std::string& ip : addresses.value()) {
    if (connect_deadline.expired()) {
      timed_out = true;
      break;
    }
    try {
      Poco::Net::SocketAddress address(ip, port);
      Poco::Net::StreamSocket socket(address.family());
      // Poco rejects a zero timeout; keep at least 1 ms.
      const auto left = std::max<int64_t>(connect_deadline.remaining_ms(), 1);
      socket.connect(address, Poco::Timespan(left * 1000));
      socket.setNoDelay(true);
      connection.socket = socket;
      connection.address = ip;
      connection.connect_ms = MsSince(connect_start);
      return connection;
    } catch (const Poco::TimeoutException&) {
      timed_out = true;
      last_problem = "no answer from " + ip;
    } catch (const Poco::Net::ConnectionRefusedException&) {
      last_problem = "connection refused by " + ip;
    } catch (const Poco::Exception& e) {
      last_problem = ip + ": " + e.message();
      if (last_problem.size() == ip.size() + 2) last_problem += e.displayText();
    }
  }
  connection.connect_ms = MsSince(connect_start);
  if (timed_out) {
    return Error::Make(ErrorKind::kTimeout,
                       "No answer from " + where +
                           " (the connection attempt timed out: the port is probably blocked by "
                           "a firewall)",
                       {}, Phase::kConnect);
  }
  return Error::Make(ErrorKind::kRefused,
                     "Could not connect to " + where + " (" + last_problem +
                         "): nothing is listening there or the network is unreachable",
                     {}, Phase::kConnect);
}

}  // namespace mailscout
