// HttpServer over real loopback sockets: pipelining, deadlines, limits and
// streamed responses.
#include "serve/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace mailscout {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerConfig config = {}) {
    config.listen = {"127.0.0.1:0"};
    config.threads = 2;
    server_ = std::make_unique<HttpServer>(
        config,
        [this](const ServeRequest& request, const ConnectionInfo& info) {
          HandlerResult result;
          if (request.path == "/stream") {
            stream_ = std::make_shared<ResponseStream>();
            result.stream = stream_;
            result.response.content_type = "text/event-stream";
            return result;
          }
          result.response = ServeResponse::Text(200, "path=" + request.path + " peer=" + info.peer);
          result.response.endpoint = "test";
          return result;
        },
        [this](const ServeRequest&, const ServeResponse&, const ConnectionInfo&, double) {
          ++observed_;
        });
    ASSERT_TRUE(server_->Start().ok());
    const std::string& bound = server_->bound().front();
    port_ = static_cast<uint16_t>(std::stoi(bound.substr(bound.rfind(':') + 1)));
  }

  int Connect() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    return fd;
  }

  static void Send(int fd, const std::string& data) {
    ASSERT_EQ(send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  }

  // Reads until `want` appears, the peer closes, or timeout_ms passes.
  static std::string ReadUntil(int fd, const std::string& want, int timeout_ms,
                               bool* closed = nullptr) {
    std::string got;
    auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (got.find(want) == std::string::npos || want.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        if (closed != nullptr) *closed = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
    }
    return got;
  }

  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> observed_{0};
  std::shared_ptr<ResponseStream> stream_;
};

TEST_F(ServerTest, AnswersPipelinedRequestsInOrderOnOneConnection) {
  Start();
  int fd = Connect();
  Send(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got = ReadUntil(fd, "path=/b", 2000);
  EXPECT_LT(got.find("path=/a peer=127.0.0.1"), got.find("path=/b"));
  Send(fd, "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
  bool closed = false;
  got = ReadUntil(fd, "", 2000, &closed);
  EXPECT_NE(got.find("path=/c"), std::string::npos);
  EXPECT_TRUE(closed);
  close(fd);
  EXPECT_EQ(observed_.load(), 3);
}

TEST_F(ServerTest, SlowHeadIsCutAtTheHeaderDeadline) {
  ServerConfig config;
  config.header_timeout_ms = 400;
  Start(config);
  int fd = Connect();
  auto start = std::chrono::steady_clock::now();
  Send(fd, "GET / HTTP/1.1\r\n");
  bool closed = false;
  std::string got;
  for (int i = 0; i < 20 && !closed; ++i) {
    send(fd, "X", 1, MSG_NOSIGNAL);  // a byte now and then never resets the deadline
    got += ReadUntil(fd, "", 100, &closed);
  }
  EXPECT_TRUE(closed);
  EXPECT_NE(got.find("408"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  EXPECT_GE(server_->timed_out_connections.load(), 1);
  close(fd);
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerConfig config;
  config.idle_timeout_ms = 300;
  Start(config);
  int fd = Connect();
  Send(fd, "GET /x HTTP/1.1\r\n\r\n");
  ReadUntil(fd, "path=/x", 1000);
  bool closed = false;
  ReadUntil(fd, "", 2000, &closed);
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(ServerTest, OversizedBodyGets413AndTheConnectionEnds) {
  Start();
  int fd = Connect();
  Send(fd, "POST / HTTP/1.1\r\nContent-Length: 1000000\r\n\r\n");
  bool closed = false;
  std::string got = ReadUntil(fd, "", 2000, &closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 413 ", 0), 0U) << got;
  EXPECT_TRUE(closed);
  close(fd);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerConfig config;
  config.max_connections = 2;
  config.threads = 1;
  Start(config);
  int a = Connect();
  int b = Connect();
  Send(a, "GET /a HTTP/1.1\r\n\r\n");
  Send(b, "GET /b HTTP/1.1\r\n\r\n");
  ReadUntil(a, "path=/a", 1000);
  ReadUntil(b, "path=/b", 1000);
  int c = Connect();
  bool closed = false;
  ReadUntil(c, "", 1000, &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(server_->refused_connections.load(), 1);
  close(a);
  close(b);
  close(c);
}

TEST_F(ServerTest, StreamedResponseIsChunkedAndCancelledWhenTheClientLeaves) {
  Start();
  int fd = Connect();
  Send(fd, "GET /stream HTTP/1.1\r\n\r\n");
  std::string got = ReadUntil(fd, "\r\n\r\n", 1000);
  EXPECT_NE(got.find("Transfer-Encoding: chunked"), std::string::npos);
  ASSERT_TRUE(stream_ != nullptr);
  stream_->Write("event: progress\ndata: hi\n\n");
  got = ReadUntil(fd, "data: hi", 1000);
  EXPECT_NE(got.find("1a\r\nevent: progress\ndata: hi\n\n\r\n"), std::string::npos);
  close(fd);
  for (int i = 0; i < 50 && !stream_->cancelled(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(stream_->cancelled());
  stream_->Write("more");  // harmless after the client left
  stream_->Close();
}

TEST_F(ServerTest, StreamEndsWithTheLastChunk) {
  Start();
  int fd = Connect();
  Send(fd, "GET /stream HTTP/1.1\r\n\r\n");
  ReadUntil(fd, "\r\n\r\n", 1000);
  stream_->Write("card");
  stream_->Close();
  bool closed = false;
  std::string got = ReadUntil(fd, "", 2000, &closed);
  EXPECT_NE(got.find("4\r\ncard\r\n0\r\n\r\n"), std::string::npos);
  EXPECT_TRUE(closed);
  close(fd);
}

TEST(ServerConfigTest, BadListenAddressesAreUsageErrors) {
  for (const char* bad : {"localhost:80", "127.0.0.1", "127.0.0.1:99999", "[::1:80"}) {
    ServerConfig config;
    config.listen = {bad};
    HttpServer server(
        config, [](const ServeRequest&, const ConnectionInfo&) { return HandlerResult{}; },
        [](const ServeRequest&, const ServeResponse&, const ConnectionInfo&, double) {});
    Status started = server.Start();
    ASSERT_FALSE(started.ok()) << bad;
    EXPECT_EQ(started.error().kind, ErrorKind::kUsage);
  }
}

}  // namespace
}  // namespace mailscout
