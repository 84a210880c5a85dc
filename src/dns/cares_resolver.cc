#include "dns/cares_resolver.h"

#include "dns/answer.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace mailscout {
namespace {

bool IsIpLiteral(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

// "1.2.3.4", "1.2.3.4:53", "::1", "[::1]:53" -> c-ares CSV entry, or empty if invalid.
std::string ServerEntry(const std::string& text) {
  std::string host = text;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return {};
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return {};
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  in_addr v4{};
  in6_addr v6{};
  bool is_v4 = inet_pton(AF_INET, host.c_str(), &v4) == 1;
  bool is_v6 = !is_v4 && inet_pton(AF_INET6, host.c_str(), &v6) == 1;
  if (!is_v4 && !is_v6) return {};
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return {};
    long p = std::stol(port);
    if (p < 1 || p > 65535) return {};
  }
  std::string entry = is_v6 ? "[" + host + "]" : host;
  if (!port.empty()) entry += ":" + port;
  return entry;
}

}  // namespace

class CaresResolver::Impl {
 public:
  // One outstanding query. Shared between the waiting caller and the
  // c-ares callback, so a caller that gives up leaves nothing dangling.
  struct Pending {
    bool done = false;
    int status = ARES_SUCCESS;
    std::vector<std::string> addresses;
    std::vector<SrvRecord> srv;
    std::vector<MxRecord> mx;
  };
  using PendingPtr = std::shared_ptr<Pending>;

  Impl() = default;
  ~Impl() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    Wake();
    if (loop_.joinable()) loop_.join();
    if (channel_ != nullptr) ares_destroy(channel_);  // fires callbacks with ARES_EDESTRUCTION
    if (wake_[0] >= 0) ::close(wake_[0]);
    if (wake_[1] >= 0) ::close(wake_[1]);
  }

  Status Init(const ResolverOptions& options) {
    static std::once_flag once;
    static int init_status = ARES_SUCCESS;
    std::call_once(once, [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
    if (init_status != ARES_SUCCESS) {
      return Error::Make(ErrorKind::kDns,
                         "cannot initialise c-ares: " + std::string(ares_strerror(init_status)));
    }
    ares_options opts{};
    opts.timeout = options.try_timeout_ms;
    opts.tries = options.tries;
    int rc = ares_init_options(&channel_, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
    if (rc != ARES_SUCCESS) {
      channel_ = nullptr;
      return Error::Make(ErrorKind::kDns,
                         "cannot initialise the DNS resolver: " + std::string(ares_strerror(rc)));
    }
    if (!options.servers.empty()) {
      std::string csv;
      for (const auto& server : options.servers) {
        std::string entry = ServerEntry(server);
        if (entry.empty()) {
          return Error::Make(ErrorKind::kDns, "--dns-server '" + server +
                                                  "' is not an IP address (optionally with :PORT)");
        }
        if (!csv.empty()) csv += ",";
        csv += entry;
      }
      rc = ares_set_servers_ports_csv(channel_, csv.c_str());
      if (rc != ARES_SUCCESS) {
        return Error::Make(ErrorKind::kDns, "cannot use DNS servers '" + csv +
                                                "': " + std::string(ares_strerror(rc)));
      }
    }
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
      return Error::Make(ErrorKind::kDns, "cannot create the resolver's wake-up pipe");
    }
    loop_ = std::thread([this] { Loop(); });
    return OkStatus();
  }

  // Starts a query under the lock via `start`, then waits for it.
  template <typename Start>
  PendingPtr Run(Start start, Deadline deadline) {
    auto pending = std::make_shared<Pending>();
    std::unique_lock<std::mutex> lock(mutex_);
    start(new PendingPtr(pending));
    lock.unlock();
    Wake();
    lock.lock();
    cv_.wait_until(lock, deadline.at(), [&] { return pending->done; });
    if (!pending->done) {
      // Give up; the callback still owns its copy of the shared state.
      auto timed_out = std::make_shared<Pending>();
      timed_out->done = true;
      timed_out->status = ARES_ETIMEOUT;
      return timed_out;
    }
    return pending;
  }

  ares_channel channel() { return channel_; }

  static void Finish(void* arg, int status, const std::function<void(Pending&)>& fill) {
    auto* holder = static_cast<PendingPtr*>(arg);
    Pending& pending = **holder;
    pending.status = status;
    if (status == ARES_SUCCESS && fill) fill(pending);
    pending.done = true;
    delete holder;
  }

  void NotifyAll() { cv_.notify_all(); }

 private:
  void Wake() {
    char byte = 1;
    (void)!::write(wake_[1], &byte, 1);
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int bits = ares_getsock(channel_, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM + 1];
      int n = 0;
      fds[n++] = {wake_[0], POLLIN, 0};
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events != 0) fds[n++] = {socks[i], events, 0};
      }
      timeval max_wait{1, 0};
      timeval tv{};
      timeval* wait = ares_timeout(channel_, &max_wait, &tv);
      int timeout_ms = static_cast<int>(wait->tv_sec * 1000 + wait->tv_usec / 1000);
      lock.unlock();
      int ready = ::poll(fds, static_cast<nfds_t>(n), std::max(timeout_ms, 1));
      lock.lock();
      if (stop_) break;
      if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
        char buf[64];
        while (::read(wake_[0], buf, sizeof buf) > 0) {
        }
      }
      bool any = false;
      for (int i = 1; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        any = true;
        ares_socket_t r =
            (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_socket_t w = (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD;
        ares_process_fd(channel_, r, w);
      }
      if (!any) ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts
      cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  ares_channel channel_ = nullptr;
  int wake_[2] = {-1, -1};
  bool stop_ = false;
  std::thread loop_;
};

namespace {

void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  CaresResolver::Impl::Finish(arg, status, [result](CaresResolver::Impl::Pending& pending) {
    std::vector<std::string> v6;
    std::vector<std::string> v4;
    for (ares_addrinfo_node* node = result ? result->nodes : nullptr; node != nullptr;
         node = node->ai_next) {
      char text[INET6_ADDRSTRLEN] = {0};
      if (node->ai_family == AF_INET6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(node->ai_addr);
        inet_ntop(AF_INET6, &sa->sin6_addr, text, sizeof text);
        if (std::find(v6.begin(), v6.end(), text) == v6.end()) v6.emplace_back(text);
      } else if (node->ai_family == AF_INET) {
        auto* sa = reinterpret_cast<sockaddr_in*>(node->ai_addr);
        inet_ntop(AF_INET, &sa->sin_addr, text, sizeof text);
        if (std::find(v4.begin(), v4.end(), text) == v4.end()) v4.emplace_back(text);
      }
    }
    pending.addresses = v6;
    pending.addresses.insert(pending.addresses.end(), v4.begin(), v4.end());
  });
  if (result != nullptr) ares_freeaddrinfo(result);
}

void OnSrv(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  CaresResolver::Impl::Finish(arg, status, [abuf, alen](CaresResolver::Impl::Pending& pending) {
    auto parsed = ParseSrvAnswer(abuf, alen);
    if (parsed.ok()) {
      pending.srv = std::move(parsed.value());
    } else {
      pending.status = ARES_EBADRESP;
    }
  });
}

void OnMx(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
  CaresResolver::Impl::Finish(arg, status, [abuf, alen](CaresResolver::Impl::Pending& pending) {
    auto parsed = ParseMxAnswer(abuf, alen);
    if (parsed.ok()) {
      pending.mx = std::move(parsed.value());
    } else {
      pending.status = ARES_EBADRESP;
    }
  });
}

}  // namespace

Result<std::unique_ptr<CaresResolver>> CaresResolver::Create(const ResolverOptions& options) {
  auto impl = std::make_unique<Impl>();
  Status status = impl->Init(options);
  if (!status.ok()) return status.error();
  return std::unique_ptr<CaresResolver>(new CaresResolver(std::move(impl)));
}

CaresResolver::CaresResolver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CaresResolver::~CaresResolver() = default;

Result<std::vector<std::string>> CaresResolver::ResolveHost(const std::string& host,
                                                            Deadline deadline) {
  if (IsIpLiteral(host)) return std::vector<std::string>{host};
  if (host.empty() || host.size() > 253) {
    return Error::Make(ErrorKind::kDns, "'" + host + "' is not a valid host name", {},
                       Phase::kResolve);
  }
  ares_channel channel = impl_->channel();
  auto pending = impl_->Run(
      [&](Impl::PendingPtr* arg) {
        ares_addrinfo_hints hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        ares_getaddrinfo(channel, host.c_str(), nullptr, &hints, OnAddrInfo, arg);
      },
      deadline);
  if (pending->status != ARES_SUCCESS) return LookupError(pending->status, host, "address");
  if (pending->addresses.empty()) return LookupError(ARES_ENODATA, host, "address (A or AAAA)");
  return pending->addresses;
}

Result<std::vector<SrvRecord>> CaresResolver::LookupSrv(const std::string& name,
                                                        Deadline deadline) {
  ares_channel channel = impl_->channel();
  auto pending = impl_->Run(
      [&](Impl::PendingPtr* arg) {
        ares_query(channel, name.c_str(), ns_c_in, ns_t_srv, OnSrv, arg);
      },
      deadline);
  if (pending->status == ARES_ENODATA) return std::vector<SrvRecord>{};
  if (pending->status != ARES_SUCCESS) return LookupError(pending->status, name, "SRV");
  return pending->srv;
}

Result<std::vector<MxRecord>> CaresResolver::LookupMx(const std::string& domain,
                                                      Deadline deadline) {
  ares_channel channel = impl_->channel();
  auto pending = impl_->Run(
      [&](Impl::PendingPtr* arg) {
        ares_query(channel, domain.c_str(), ns_c_in, ns_t_mx, OnMx, arg);
      },
      deadline);
  if (pending->status == ARES_ENODATA) return std::vector<MxRecord>{};
  if (pending->status != ARES_SUCCESS) return LookupError(pending->status, domain, "MX");
  return pending->mx;
}

}  // namespace mailscout
