#include "net/poco_http_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/URI.h>

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "net/connect.h"
#include "net/tls.h"

namespace mailscout {

// Shuts sockets down (shutdown(2), which wakes a blocked read) when their
// deadline passes. Unwatch() holds the same mutex as the shutdown, so once
// it returns the file descriptor is never touched again and may be closed.
class PocoHttpClient::Watchdog {
 public:
  Watchdog() = default;
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  int Watch(int fd, Clock::time_point at) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    const int id = next_id_++;
    entries_[id] = {fd, at};
    cv_.notify_all();
    return id;
  }

  void Unwatch(int id) {
    std::lock_guard<std::mutex> lock(mu_);
    entries_.erase(id);
  }

 private:
  struct Entry {
    int fd = -1;
    Clock::time_point at;
  };

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      auto next = Clock::time_point::max();
      const auto now = Clock::now();
      for (auto it = entries_.begin(); it != entries_.end();) {
        if (it->second.at <= now) {
          ::shutdown(it->second.fd, SHUT_RDWR);
          it = entries_.erase(it);
        } else {
          next = std::min(next, it->second.at);
          ++it;
        }
      }
      if (next == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, next);
      }
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Entry> entries_;
  int next_id_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

namespace {

// Watches a socket for the lifetime of the guard. Declare it after every
// object that closes the socket, so it is released first.
class WatchGuard {
 public:
  WatchGuard(PocoHttpClient::Watchdog& dog, const Poco::Net::Socket& socket, Deadline deadline)
      : dog_(dog), id_(dog.Watch(socket.impl()->sockfd(), deadline.at())) {}
  ~WatchGuard() { dog_.Unwatch(id_); }
  WatchGuard(const WatchGuard&) = delete;
  WatchGuard& operator=(const WatchGuard&) = delete;

 private:
  PocoHttpClient::Watchdog& dog_;
  int id_;
};

constexpr size_t kReadChunk = 16 * 1024;

Error HttpError(std::string message) {
  return Error::Make(ErrorKind::kProtocol, std::move(message), {});
}

Error Timeout(const std::string& url) {
  return Error::Make(ErrorKind::kTimeout, "No complete HTTP answer from " + url + " in time");
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Poco::Timespan Left(Deadline deadline) {
  return Poco::Timespan(std::max<int64_t>(deadline.remaining_ms(), 1) * 1000);
}

struct Target {
  bool https = false;
  std::string host;
  uint16_t port = 0;
  std::string path;  // path and query
};

std::optional<Target> ParseUrl(const std::string& url) {
  try {
    Poco::URI uri(url);
    Target t;
    const std::string scheme = Lower(uri.getScheme());
    if (scheme != "http" && scheme != "https") return std::nullopt;
    t.https = scheme == "https";
    t.host = Lower(uri.getHost());
    if (t.host.empty()) return std::nullopt;
    t.port = uri.getPort();
    t.path = uri.getPathAndQuery();
    if (t.path.empty()) t.path = "/";
    return t;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

// The exchange once connected (and TLS done); Poco exceptions propagate to
// Fetch(), which maps them.
Result<HttpResponse> Exchange(Poco::Net::StreamSocket socket, const Target& target,
                              const HttpRequest& request, Deadline deadline,
                              PocoHttpClient::Watchdog& dog) {
  Poco::Net::HTTPClientSession session(socket);  // closes the socket when destroyed
  WatchGuard guard(dog, socket, deadline);
  session.setKeepAlive(false);
  session.setTimeout(Left(deadline));

  Poco::Net::HTTPRequest out(request.method, target.path, Poco::Net::HTTPMessage::HTTP_1_1);
  const uint16_t standard = target.https ? 443 : 80;
  std::string host_header =
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  if (target.port != standard) host_header += ":" + std::to_string(target.port);
  out.setHost(host_header);
  out.set("User-Agent", "mailscout/" MAILSCOUT_VERSION);
  out.set("Accept", "application/xml, text/xml, */*");
  out.setKeepAlive(false);
  if (!request.body.empty() || request.method == "POST") {
    out.setContentLength(static_cast<std::streamsize>(request.body.size()));
    if (!request.content_type.empty()) out.setContentType(request.content_type);
  }
  std::ostream& body_out = session.sendRequest(out);
  body_out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
  body_out.flush();
  if (deadline.expired()) return Timeout(request.url);

  session.setTimeout(Left(deadline));
  Poco::Net::HTTPResponse in;
  std::istream& body_in = session.receiveResponse(in);

  HttpResponse response;
  response.status = static_cast<int>(in.getStatus());
  response.https = target.https;
  for (const auto& [name, value] : in) response.headers.emplace(Lower(name), value);

  char buffer[kReadChunk];
  while (true) {
    if (deadline.expired()) return Timeout(request.url);
    socket.setReceiveTimeout(Left(deadline));
    body_in.read(buffer, sizeof buffer);
    const std::streamsize got = body_in.gcount();
    if (got <= 0) break;
    if (response.body.size() + static_cast<size_t>(got) > request.max_body_bytes) {
      return HttpError("The answer from " + request.url + " is larger than " +
                       std::to_string(request.max_body_bytes) + " bytes; not read further");
    }
    response.body.append(buffer, static_cast<size_t>(got));
    if (!body_in) break;
  }
  // The watchdog ends a read at the deadline by shutting the socket down,
  // which looks like the end of the body.
  if (deadline.expired()) return Timeout(request.url);
  if (in.hasContentLength() && in.getContentLength64() >= 0 &&
      response.body.size() < static_cast<uint64_t>(in.getContentLength64())) {
    return HttpError(request.url + " closed the connection before the whole answer arrived");
  }
  return response;
}

}  // namespace

PocoHttpClient::PocoHttpClient(Resolver& resolver, const TlsClient& tls)
    : PocoHttpClient(resolver, [&tls]() -> const TlsClient& { return tls; }) {}

PocoHttpClient::PocoHttpClient(Resolver& resolver, std::function<const TlsClient&()> tls)
    : resolver_(resolver), tls_(std::move(tls)), watchdog_(std::make_unique<Watchdog>()) {
  // A peer closing early must be an error value, not a signal.
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

PocoHttpClient::~PocoHttpClient() = default;

Result<HttpResponse> PocoHttpClient::Fetch(const HttpRequest& request, Deadline deadline) {
  std::optional<Target> target = ParseUrl(request.url);
  if (!target) return HttpError("'" + request.url + "' is not an http or https URL");

  Result<TcpConnection> connection =
      ConnectTcp(resolver_, target->host, target->port, deadline, deadline);
  if (!connection.ok()) return connection.error();

  Poco::Net::StreamSocket socket = connection->socket;
  if (target->https) {
    Result<Poco::Net::SecureStreamSocket> secure = [&] {
      WatchGuard guard(*watchdog_, socket, deadline);
      return tls_().Handshake(socket, target->host, deadline, nullptr);
    }();
    if (!secure.ok()) {
      if (deadline.expired() && secure.error().kind != ErrorKind::kCertificate) {
        return Error::Make(ErrorKind::kTimeout,
                           "The TLS handshake with " + target->host + " did not finish in time", {},
                           Phase::kTls);
      }
      return secure.error();
    }
    socket = secure.value();
  }
  try {
    return Exchange(socket, *target, request, deadline, *watchdog_);
  } catch (const Poco::Exception& e) {
    // At the deadline the watchdog closes the socket, whatever Poco then
    // says about it.
    if (deadline.expired() || dynamic_cast<const Poco::TimeoutException*>(&e) != nullptr) {
      return Timeout(request.url);
    }
    if (dynamic_cast<const Poco::Net::NoMessageException*>(&e) != nullptr) {
      return HttpError(request.url + " closed the connection without an HTTP answer");
    }
    if (dynamic_cast<const Poco::Net::MessageException*>(&e) != nullptr) {
      return HttpError("The answer from " + request.url + " is not valid HTTP (" + e.message() +
                       ")");
    }
    if (dynamic_cast<const Poco::Net::SSLException*>(&e) != nullptr) {
      return Error::Make(ErrorKind::kTls,
                         "TLS failed while talking to " + target->host + " (" + e.message() + ")");
    }
    return HttpError("HTTP request to " + request.url + " failed (" + e.displayText() + ")");
  } catch (const std::exception& e) {
    return HttpError("HTTP request to " + request.url + " failed (" + e.what() + ")");
  }
}

}  // namespace mailscout
