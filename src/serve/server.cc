#include "serve/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unordered_map>

namespace mailscout {
namespace {

// Output queued beyond this pauses reading from a client that pipelines
// faster than it reads answers.
constexpr size_t kMaxPendingOutput = 256 * 1024;
// Input kept beyond this is never needed: the parser refuses such a request.
constexpr size_t kMaxInput = kMaxHeadBytes + kMaxBodyBytes + 4096;
constexpr int64_t kSweepMs = 200;
// After an error answer the client may still be sending (the rest of a 1 MB
// body): closing with those bytes unread makes the kernel send a reset, which
// can destroy the answer before the client reads it. So the server shuts its
// side, drops what still comes for at most this long and this much, then
// closes (nginx's lingering close).
constexpr int64_t kLingerMs = 2000;
constexpr size_t kMaxLingerBytes = 1024 * 1024;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Error Bad(const std::string& message) { return Error::Make(ErrorKind::kUsage, message); }

struct Endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

Result<Endpoint> ParseEndpoint(const std::string& text) {
  std::string host;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Bad("'" + text + "' is not ADDRESS:PORT (IPv6 as [::1]:8080)");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return Bad("'" + text + "' is not ADDRESS:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535) {
    return Bad("'" + text + "': the port must be a number from 0 to 65535");
  }
  Endpoint e;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&e.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&e.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(p));
    e.len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(p));
    e.len = sizeof(sockaddr_in6);
  } else {
    return Bad("'" + text + "': listen on an IP address (127.0.0.1, 0.0.0.0, [::]), not a name");
  }
  return e;
}

std::string Describe(const sockaddr_storage& addr, bool with_port) {
  char buf[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
    port = ntohs(v4->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
    port = ntohs(v6->sin6_port);
    std::string s = buf;
    if (s.rfind("::ffff:", 0) == 0 && s.find('.') != std::string::npos) s = s.substr(7);
    return with_port ? "[" + s + "]:" + std::to_string(port) : s;
  }
  return with_port ? std::string(buf) + ":" + std::to_string(port) : std::string(buf);
}

Result<int> Listen(const Endpoint& e, const std::string& text) {
  int fd = socket(e.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Bad("cannot listen on " + text + ": " + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (e.addr.ss_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0 || listen(fd, 4096) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    return Bad("cannot listen on " + text + ": " + why);
  }
  return fd;
}

}  // namespace

void ResponseStream::Write(std::string chunk) {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || chunk.empty()) return;
    data_ += chunk;
    wake = wake_;
  }
  if (wake) wake();
}

void ResponseStream::Close() {
  std::function<void()> wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

ResponseStream::Pending ResponseStream::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  Pending p;
  p.data.swap(data_);
  p.closed = closed_;
  return p;
}

void ResponseStream::Attach(std::function<void()> wake) {
  bool pending = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wake_ = std::move(wake);
    pending = !data_.empty() || closed_;
  }
  if (pending) wake_();
}

class HttpServer::Loop {
 public:
  struct Conn {
    int fd = -1;
    uint64_t id = 0;
    SSL* ssl = nullptr;
    bool handshake_done = true;
    ConnectionInfo info;
    std::string in;
    std::string out;
    size_t out_off = 0;
    bool close_after_write = false;
    bool linger = false;     // an error answer: drain the input before closing
    bool lingering = false;  // the answer is out and our side is shut
    size_t drained = 0;
    bool epollout = false;
    uint32_t mask = EPOLLIN | EPOLLRDHUP;
    int64_t request_start = 0;  // when the first byte of the pending request came
    int64_t deadline = 0;
    std::shared_ptr<ResponseStream> stream;
  };

  Loop(HttpServer* server, SSL_CTX* tls) : server_(server), tls_(tls) {}
  ~Loop() {
    for (auto& [fd, conn] : conns_) Release(*conn);
    for (const auto& l : listeners_) close(l.fd);
    if (epoll_ >= 0) close(epoll_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Status Init() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || wake_fd_ < 0) return Bad(std::string("epoll: ") + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_fd_, &ev);
    return OkStatus();
  }

  void AddListener(int fd, bool tls) {
    listeners_.push_back({fd, tls});
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.u64 = kListenTag | (listeners_.size() - 1);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }

  void Run() {
    std::vector<epoll_event> events(256);
    int64_t next_sweep = NowMs() + kSweepMs;
    while (!stopping_.load()) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                         static_cast<int>(kSweepMs));
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) {
        uint64_t tag = events[i].data.u64;
        if (tag == kWakeTag) {
          DrainWakes();
        } else if ((tag & kListenTag) != 0) {
          Accept(listeners_[tag & ~kListenTag]);
        } else {
          auto it = conns_.find(static_cast<int>(tag));
          if (it == conns_.end()) continue;
          Conn& c = *it->second;
          uint32_t got = events[i].events;
          if ((got & (EPOLLERR | EPOLLHUP)) != 0 && (got & EPOLLIN) == 0) {
            Close(c);
            continue;
          }
          if ((got & EPOLLRDHUP) != 0 && c.stream) {  // the client left during a lookup
            Close(c);
            continue;
          }
          if ((got & EPOLLOUT) != 0 && !OnWritable(c)) continue;
          if ((got & (EPOLLIN | EPOLLRDHUP)) != 0 && !ReadPaused(c)) OnReadable(c);
        }
      }
      int64_t now = NowMs();
      if (now >= next_sweep) {
        Sweep(now);
        next_sweep = now + kSweepMs;
      }
    }
  }

  void Stop() {
    stopping_.store(true);
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof(one));
    (void)ignored;
  }

 private:
  static constexpr uint64_t kWakeTag = 1ULL << 62;
  static constexpr uint64_t kListenTag = 1ULL << 61;
  struct Listener {
    int fd;
    bool tls;
  };

  void Accept(const Listener& l) {
    for (int i = 0; i < 64; ++i) {
      sockaddr_storage addr{};
      socklen_t len = sizeof(addr);
      int fd =
          accept4(l.fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of descriptors: try again on the next event
      if (server_->open_connections.load() >= server_->config_.max_connections) {
        ++server_->refused_connections;
        close(fd);
        continue;
      }
      ++server_->open_connections;
      ++server_->accepted_connections;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      auto conn = std::make_unique<Conn>();
      conn->fd = fd;
      conn->id = next_id_++;
      conn->info.peer = Describe(addr, false);
      conn->info.tls = l.tls;
      conn->deadline = NowMs() + server_->config_.header_timeout_ms;
      if (l.tls) {
        conn->ssl = SSL_new(tls_);
        if (conn->ssl == nullptr) {
          ERR_clear_error();
          close(fd);
          --server_->open_connections;
          continue;
        }
        SSL_set_fd(conn->ssl, fd);
        SSL_set_accept_state(conn->ssl);
        conn->handshake_done = false;
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP;
      ev.data.u64 = static_cast<uint64_t>(fd);
      epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
      by_id_[conn->id] = conn.get();
      conns_[fd] = std::move(conn);
    }
  }

  // Returns false when the connection was closed.
  bool Handshake(Conn& c) {
    ERR_clear_error();
    int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
      c.handshake_done = true;
      return true;
    }
    int err = SSL_get_error(c.ssl, r);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) return WantWrite(c, false);
    if (err == SSL_ERROR_WANT_WRITE) return WantWrite(c, true);
    Close(c);
    return false;
  }

  bool WantWrite(Conn& c, bool want) {
    c.epollout = want;
    UpdateEvents(c);
    return true;
  }

  // Whether reading from c is paused until its output drains or its stream
  // ends (level-triggered epoll would otherwise wake us for bytes we leave).
  static bool ReadPaused(const Conn& c) {
    if (!c.handshake_done || c.lingering) return false;
    return c.in.size() >= kMaxInput || c.out.size() - c.out_off > kMaxPendingOutput || c.stream ||
           c.close_after_write;
  }

  void UpdateEvents(Conn& c) {
    uint32_t mask =
        ReadPaused(c) ? (c.stream ? uint32_t{EPOLLRDHUP} : 0U) : uint32_t{EPOLLIN | EPOLLRDHUP};
    if (c.epollout) mask |= EPOLLOUT;
    if (mask == c.mask) return;
    c.mask = mask;
    epoll_event ev{};
    ev.events = mask;
    ev.data.u64 = static_cast<uint64_t>(c.fd);
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  // > 0 bytes, 0 end of stream, -1 would block, -2 error.
  ssize_t Read(Conn& c, char* buf, size_t size) {
    if (c.ssl == nullptr) {
      ssize_t n = read(c.fd, buf, size);
      if (n >= 0) return n;
      return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
    }
    ERR_clear_error();
    int n = SSL_read(c.ssl, buf, static_cast<int>(size));
    if (n > 0) return n;
    int err = SSL_get_error(c.ssl, n);
    ERR_clear_error();
    if (err == SSL_ERROR_WANT_READ) return -1;
    if (err == SSL_ERROR_WANT_WRITE) {
      WantWrite(c, true);
      return -1;
    }
    return err == SSL_ERROR_ZERO_RETURN ? 0 : -2;
  }

  ssize_t Write(Conn& c, const char* data, size_t size) {
    if (c.ssl == nullptr) {
      ssize_t n = send(c.fd, data, size, MSG_NOSIGNAL);
      if (n >= 0) return n;
      return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
    }
    ERR_clear_error();
    int n = SSL_write(c.ssl, data, static_cast<int>(std::min<size_t>(size, 1 << 20)));
    if (n > 0) return n;
    int err = SSL_get_error(c.ssl, n);
    ERR_clear_error();
    return (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) ? -1 : -2;
  }

  // Returns false when the connection was closed.
  bool OnReadable(Conn& c) {
    if (c.lingering) return Drain(c);
    if (!c.handshake_done) {
      if (!Handshake(c)) return false;
      if (!c.handshake_done) return true;
    }
    char buf[16384];
    for (;;) {
      if (ReadPaused(c)) break;  // resumed after the output drains
      ssize_t n = Read(c, buf, sizeof(buf));
      if (n == -1) break;
      if (n <= 0) {
        // The client is gone (or half-closed and sent everything): answer what
        // is complete, then close.
        c.close_after_write = true;
        if (c.in.empty() && c.out_off >= c.out.size()) {
          Close(c);
          return false;
        }
        break;
      }
      if (c.in.empty()) c.request_start = NowMs();
      c.in.append(buf, static_cast<size_t>(n));
      // A short read emptied the socket: skip the read that would only say
      // EAGAIN (epoll is level-triggered and reports what comes later). Not
      // for TLS: OpenSSL may hold decrypted bytes epoll knows nothing of.
      if (c.ssl == nullptr && static_cast<size_t>(n) < sizeof(buf)) break;
    }
    return Process(c);
  }

  // Parses and answers every whole request in c.in. Returns false when the
  // connection was closed.
  bool Process(Conn& c) {
    for (;;) {
      bool stopped_for_output = false;
      if (!AnswerBuffered(c, &stopped_for_output)) return false;
      // The answers went out at once but requests read earlier still wait
      // in c.in: no event will come for bytes already read, so go on.
      bool more = !c.in.empty() && !c.stream && !c.close_after_write;
      if (!more || !c.out.empty() || !stopped_for_output) return true;
    }
  }

  // One pass of Process(): answers whole requests until the output passes
  // kMaxPendingOutput, then flushes. Returns false when the connection was
  // closed.
  bool AnswerBuffered(Conn& c, bool* stopped_for_output) {
    while (!c.stream) {
      if (c.out.size() - c.out_off > kMaxPendingOutput) {
        *stopped_for_output = true;
        break;
      }
      if (c.in.empty()) break;
      ServeRequest request;
      ParseOutcome outcome = ParseRequest(c.in, &request);
      if (outcome.status == ParseStatus::kIncomplete) break;
      int64_t start = NowMs();
      if (outcome.status == ParseStatus::kError) {
        ServeResponse r = ServeResponse::Text(outcome.error_status, outcome.error);
        r.endpoint = "bad-request";
        c.out += SerializeResponse(r, false, false);
        c.in.clear();
        c.close_after_write = true;
        c.linger = true;
        server_->observer_(request, r, c.info, 0);
        break;
      }
      c.in.erase(0, outcome.consumed);
      auto t0 = std::chrono::steady_clock::now();
      HandlerResult result = server_->handler_(request, c.info);
      bool keep_alive = request.keep_alive && !c.close_after_write && !result.stream;
      bool head_only = request.method == "HEAD";
      if (result.stream) {
        std::string head = SerializeResponse(result.response, false, true);
        // Replace Content-Length with chunked encoding.
        size_t at = head.find("Content-Length: ");
        size_t eol = head.find("\r\n", at);
        head.replace(at, eol - at, "Transfer-Encoding: chunked");
        c.out += head;
        c.stream = result.stream;
        uint64_t id = c.id;
        c.deadline = start + server_->config_.stream_timeout_ms;
        c.stream->Attach([this, id] { Wake(id); });
      } else {
        c.out += SerializeResponse(result.response, keep_alive, head_only);
      }
      if (!keep_alive) c.close_after_write = true;
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      server_->observer_(request, result.response, c.info, seconds);
      c.request_start = start;
      if (c.close_after_write && !c.stream) {
        c.in.clear();
        break;
      }
    }
    return Flush(c);
  }

  // Writes what is queued. Returns false when the connection was closed.
  bool Flush(Conn& c) {
    int64_t now = NowMs();
    while (c.out_off < c.out.size()) {
      ssize_t n = Write(c, c.out.data() + c.out_off, c.out.size() - c.out_off);
      if (n == -1) {
        c.deadline = now + server_->config_.write_timeout_ms;
        return WantWrite(c, true);
      }
      if (n < 0) {
        Close(c);
        return false;
      }
      c.out_off += static_cast<size_t>(n);
    }
    c.out.clear();
    c.out_off = 0;
    if (c.close_after_write && !c.stream) {
      if (c.linger && !c.lingering) {
        shutdown(c.fd, SHUT_WR);
        c.lingering = true;
        c.in.clear();
        c.deadline = now + kLingerMs;
        WantWrite(c, false);
        return Drain(c);
      }
      Close(c);
      return false;
    }
    WantWrite(c, false);
    if (c.stream) return true;
    c.deadline = c.in.empty() ? now + server_->config_.idle_timeout_ms
                              : c.request_start + server_->config_.header_timeout_ms;
    return true;
  }

  // Reads and drops input while lingering; closes at its end or past the
  // limit. Returns false when the connection was closed.
  bool Drain(Conn& c) {
    char buf[16384];
    for (;;) {
      ssize_t n = Read(c, buf, sizeof(buf));
      if (n == -1) return true;
      if (n > 0) c.drained += static_cast<size_t>(n);
      if (n <= 0 || c.drained > kMaxLingerBytes) {
        Close(c);
        return false;
      }
    }
  }

  bool OnWritable(Conn& c) {
    if (!c.handshake_done) return Handshake(c);
    if (!Flush(c)) return false;
    if (c.out.empty() && !c.stream && !c.close_after_write) {
      if (!Process(c)) return false;
      return OnReadable(c);  // reading may have been paused
    }
    return true;
  }

  void Wake(uint64_t id) {
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      wakes_.push_back(id);
    }
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd_, &one, sizeof(one));
    (void)ignored;
  }

  void DrainWakes() {
    uint64_t count = 0;
    ssize_t ignored = read(wake_fd_, &count, sizeof(count));
    (void)ignored;
    std::vector<uint64_t> ids;
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      ids.swap(wakes_);
    }
    for (uint64_t id : ids) {
      auto it = by_id_.find(id);
      if (it == by_id_.end() || !it->second->stream) continue;
      Conn& c = *it->second;
      ResponseStream::Pending p = c.stream->Take();
      if (!p.data.empty()) {
        char size[20];
        std::snprintf(size, sizeof(size), "%zx\r\n", p.data.size());
        c.out += size;
        c.out += p.data;
        c.out += "\r\n";
      }
      if (p.closed) {
        c.out += "0\r\n\r\n";
        c.stream = nullptr;
        c.close_after_write = true;
      }
      Flush(c);
    }
  }

  void Sweep(int64_t now) {
    std::vector<Conn*> expired;
    for (auto& [fd, conn] : conns_) {
      if (conn->deadline <= now) expired.push_back(conn.get());
    }
    for (Conn* c : expired) {
      if (!c->lingering) ++server_->timed_out_connections;
      if (c->handshake_done && !c->in.empty() && c->out.empty() && !c->stream) {
        std::string r =
            SerializeResponse(ServeResponse::Text(408, "request timeout"), false, false);
        Write(*c, r.data(), r.size());  // best effort
      }
      Close(*c);
    }
  }

  void Release(Conn& c) {
    if (c.stream) c.stream->Cancel();
    if (c.ssl != nullptr) SSL_free(c.ssl);
    close(c.fd);
    --server_->open_connections;
  }

  void Close(Conn& c) {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    by_id_.erase(c.id);
    int fd = c.fd;
    Release(c);
    conns_.erase(fd);
  }

  HttpServer* server_;
  SSL_CTX* tls_;
  int epoll_ = -1;
  int wake_fd_ = -1;
  std::vector<Listener> listeners_;
  std::unordered_map<int, std::unique_ptr<Conn>> conns_;
  std::unordered_map<uint64_t, Conn*> by_id_;
  uint64_t next_id_ = 1;
  std::atomic<bool> stopping_{false};
  std::mutex wake_mu_;
  std::vector<uint64_t> wakes_;
};

HttpServer::HttpServer(ServerConfig config, RequestHandler handler, ResponseObserver observer)
    : config_(std::move(config)), handler_(std::move(handler)), observer_(std::move(observer)) {}

HttpServer::~HttpServer() {
  Stop();
  if (tls_context_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(tls_context_));
}

Status HttpServer::Start() {
  if (!config_.tls_listen.empty()) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    tls_context_ = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, config_.tls_cert.c_str()) != 1) {
      ERR_clear_error();
      return Bad("cannot use the TLS certificate " + config_.tls_cert +
                 " (a PEM certificate chain)");
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, config_.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
      ERR_clear_error();
      return Bad("cannot use the TLS key " + config_.tls_key + " (a PEM key matching --tls-cert)");
    }
  }
  int threads = std::max(1, config_.threads);
  for (int i = 0; i < threads; ++i) {
    auto loop = std::make_unique<Loop>(this, static_cast<SSL_CTX*>(tls_context_));
    Status ok = loop->Init();
    if (!ok.ok()) return ok;
    loops_.push_back(std::move(loop));
  }
  auto bind_all = [&](const std::vector<std::string>& addresses, bool tls) -> Status {
    for (const std::string& text : addresses) {
      Result<Endpoint> endpoint = ParseEndpoint(text);
      if (!endpoint.ok()) return endpoint.error();
      for (auto& loop : loops_) {
        Result<int> fd = Listen(endpoint.value(), text);
        if (!fd.ok()) return fd.error();
        if (&loop == &loops_.front()) {
          // A port 0 becomes a real one: every other loop binds that one.
          socklen_t len = sizeof(endpoint->addr);
          getsockname(fd.value(), reinterpret_cast<sockaddr*>(&endpoint->addr), &len);
          bound_.push_back((tls ? "https://" : "http://") + Describe(endpoint->addr, true));
        }
        loop->AddListener(fd.value(), tls);
      }
    }
    return OkStatus();
  };
  Status ok = bind_all(config_.listen, false);
  if (ok.ok()) ok = bind_all(config_.tls_listen, true);
  if (!ok.ok()) return ok;
  for (auto& loop : loops_) threads_.emplace_back([l = loop.get()] { l->Run(); });
  return OkStatus();
}

void HttpServer::Stop() {
  for (auto& loop : loops_) loop->Stop();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  loops_.clear();
}

}  // namespace mailscout
