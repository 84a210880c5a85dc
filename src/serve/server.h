// The HTTP/HTTPS server under `mailscout serve`: a few epoll event loops
// (one per core, each with its own SO_REUSEPORT listening sockets), so an
// idle or slow client costs a few hundred bytes and never a thread.
//
// Hardening, all enforced here rather than by the handlers:
//   - a request must arrive whole within header_timeout (slowloris), an idle
//     keep-alive connection is closed after idle_timeout, a client that stops
//     reading is dropped after write_timeout;
//   - heads and bodies are size-bounded by the parser (serve/http.h); a
//     client that pipelines faster than it reads is paused;
//   - at most max_connections are open; more are closed at accept;
//   - TLS handshakes run non-blocking inside the same loops.
// The handler runs on a loop thread and must be quick; slow work (helpdesk
// lookups) returns a ResponseStream that another thread fills.
#ifndef MAILSCOUT_SERVE_SERVER_H_
#define MAILSCOUT_SERVE_SERVER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "serve/http.h"

namespace mailscout {

// A response body produced over time by another thread (chunked transfer
// encoding). Write() and Close() are thread-safe; cancelled() turns true
// when the client went away, so the producer can stop.
class ResponseStream {
 public:
  void Write(std::string chunk);
  void Close();
  bool cancelled() const { return cancelled_.load(); }

 private:
  friend class HttpServer;
  struct Pending {
    std::string data;
    bool closed = false;
  };
  Pending Take();
  void Attach(std::function<void()> wake);
  void Cancel() { cancelled_.store(true); }

  std::mutex mu_;
  std::string data_;
  bool closed_ = false;
  std::function<void()> wake_;
  std::atomic<bool> cancelled_{false};
};

struct ConnectionInfo {
  std::string peer;  // client IP address
  bool tls = false;
};

// What the handler gives back: a whole response, or (stream set) the head of
// one whose body follows through the stream.
struct HandlerResult {
  ServeResponse response;
  std::shared_ptr<ResponseStream> stream;
};

using RequestHandler = std::function<HandlerResult(const ServeRequest&, const ConnectionInfo&)>;
// Called after each response is queued: for the access log and metrics.
using ResponseObserver = std::function<void(const ServeRequest&, const ServeResponse&,
                                            const ConnectionInfo&, double seconds)>;

struct ServerConfig {
  std::vector<std::string> listen;      // "ADDR:PORT", "[v6]:PORT"
  std::vector<std::string> tls_listen;  // HTTPS
  std::string tls_cert;                 // PEM (chain) and key for tls_listen
  std::string tls_key;
  int threads = 2;
  int64_t max_connections = 10000;
  int64_t header_timeout_ms = 10000;
  int64_t idle_timeout_ms = 15000;
  int64_t write_timeout_ms = 10000;
  int64_t stream_timeout_ms = 120000;
};

class HttpServer {
 public:
  HttpServer(ServerConfig config, RequestHandler handler, ResponseObserver observer);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every address (errors: kUsage, naming the address and why) and
  // starts the loop threads.
  Status Start();
  // The addresses really bound ("127.0.0.1:8080"; a port 0 resolved), in
  // order: listen, then tls_listen.
  const std::vector<std::string>& bound() const { return bound_; }
  // Stops accepting, closes every connection, joins the threads.
  void Stop();

  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> refused_connections{0};
  std::atomic<int64_t> timed_out_connections{0};
  std::atomic<int64_t> accepted_connections{0};

  class Loop;

 private:
  ServerConfig config_;
  RequestHandler handler_;
  ResponseObserver observer_;
  std::vector<std::string> bound_;
  void* tls_context_ = nullptr;  // SSL_CTX*
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_SERVE_SERVER_H_
