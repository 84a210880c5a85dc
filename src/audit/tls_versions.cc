#include "audit/tls_versions.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <memory>

namespace mailscout {
namespace {

using Clock = std::chrono::steady_clock;

int64_t LeftMs(Clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(end - Clock::now()).count();
}

// A blocking socket with send/receive timeouts, connected within the
// deadline; -1 on failure.
int Dial(const std::string& address, uint16_t port, Clock::time_point end) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    return -1;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int err = 0;
  socklen_t err_len = sizeof(err);
  if (poll(&p, 1, static_cast<int>(std::max<int64_t>(0, LeftMs(end)))) != 1 ||
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
    close(fd);
    return -1;
  }
  // Back to blocking, with timeouts for the rest.
  int64_t left = std::max<int64_t>(1, LeftMs(end));
  timeval tv{static_cast<time_t>(left / 1000), static_cast<suseconds_t>((left % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

// Reads lines until `done` says the reply is complete; false on timeout,
// close or more than 64 KiB.
template <typename Done>
bool ReadReply(int fd, Clock::time_point end, Done done) {
  std::string buffer;
  while (buffer.size() < 65536 && LeftMs(end) > 0) {
    char c;
    ssize_t n = recv(fd, &c, 1, 0);
    if (n != 1) return false;
    buffer.push_back(c);
    if (c == '\n') {
      size_t start = buffer.rfind('\n', buffer.size() - 2);
      std::string line = buffer.substr(start == std::string::npos ? 0 : start + 1);
      if (done(line)) return true;
    }
  }
  return false;
}

bool SendLine(int fd, const std::string& line) {
  std::string data = line + "\r\n";
  return send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
}

bool StartTls(int fd, Protocol protocol, Clock::time_point end) {
  switch (protocol) {
    case Protocol::kImap:
      return ReadReply(fd, end, [](const std::string& l) { return l.rfind("* ", 0) == 0; }) &&
             SendLine(fd, "a STARTTLS") &&
             ReadReply(fd, end, [](const std::string& l) { return l.rfind("a ", 0) == 0; });
    case Protocol::kPop3:
      return ReadReply(fd, end, [](const std::string& l) { return l.rfind("+OK", 0) == 0; }) &&
             SendLine(fd, "STLS") && ReadReply(fd, end, [](const std::string& l) {
               return !l.empty() && (l[0] == '+' || l[0] == '-');
             });
    case Protocol::kSmtp: {
      auto last = [](const std::string& l) { return l.size() >= 4 && l[3] == ' '; };
      return ReadReply(fd, end, last) && SendLine(fd, "EHLO audit.mailscout.invalid") &&
             ReadReply(fd, end, last) && SendLine(fd, "STARTTLS") && ReadReply(fd, end, last);
    }
  }
  return false;
}

int VersionNumber(const std::string& name) {
  if (name == "TLSv1") return TLS1_VERSION;
  if (name == "TLSv1.1") return TLS1_1_VERSION;
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  return TLS1_3_VERSION;
}

bool Handshakes(const std::string& address, uint16_t port, Protocol protocol, Security security,
                const std::string& version, int64_t ms) {
  const auto end = Clock::now() + std::chrono::milliseconds(ms);
  int fd = Dial(address, port, end);
  if (fd < 0) return false;
  bool ok = false;
  if (security != Security::kStartTls || StartTls(fd, protocol, end)) {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                          &SSL_CTX_free);
    if (ctx) {
      SSL_CTX_set_security_level(ctx.get(), 0);
      SSL_CTX_set_min_proto_version(ctx.get(), VersionNumber(version));
      SSL_CTX_set_max_proto_version(ctx.get(), VersionNumber(version));
      SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0");
      SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
      std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
      if (ssl) {
        SSL_set_fd(ssl.get(), fd);
        ok = SSL_connect(ssl.get()) == 1 && SSL_version(ssl.get()) == VersionNumber(version);
        if (ok) SSL_shutdown(ssl.get());
      }
    }
  }
  ERR_clear_error();
  close(fd);
  return ok;
}

}  // namespace

const std::vector<std::string>& TlsVersionNames() {
  static const std::vector<std::string> kNames = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
  return kNames;
}

std::vector<std::string> AcceptedTlsVersions(const std::string& address, uint16_t port,
                                             Protocol protocol, Security security,
                                             int64_t per_attempt_ms) {
  std::vector<std::string> accepted;
  if (security == Security::kPlain) return accepted;
  // All versions at once: the audit takes one handshake's time, not four.
  std::vector<std::future<bool>> attempts;
  attempts.reserve(TlsVersionNames().size());
  for (const std::string& version : TlsVersionNames()) {
    attempts.push_back(std::async(std::launch::async, [=] {
      return Handshakes(address, port, protocol, security, version, per_attempt_ms);
    }));
  }
  for (size_t i = 0; i < attempts.size(); ++i) {
    if (attempts[i].get()) accepted.push_back(TlsVersionNames()[i]);
  }
  return accepted;
}

}  // namespace mailscout
