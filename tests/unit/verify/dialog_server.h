// DialogServer: a scripted loopback mail server for tester unit tests, in
// the spirit of Poco's DialogServer. It listens on 127.0.0.1 (port 0),
// accepts connections one after another and plays the same script on each:
// send lines, expect client lines (recording them), upgrade to TLS, stay
// silent, drip bytes slowly, flood without a newline, close.
//
// "{tag}" in a sent line is replaced by the tag (first word) of the last
// client line. Everything the client sent is kept for assertions (the tests
// prove no password reached the wire). The destructor stops and joins the
// server thread; every wait inside polls a stop flag, so tests never hang.
#ifndef MAILSCOUT_TESTS_UNIT_VERIFY_DIALOG_SERVER_H_
#define MAILSCOUT_TESTS_UNIT_VERIFY_DIALOG_SERVER_H_

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

namespace mailscout {

struct DialogStep {
  enum class Kind { kSend, kExpect, kStartTls, kSleep, kDrip, kFlood, kHang, kClose, kRaw };
  Kind kind = Kind::kSend;
  std::string text;  // line to send (without CRLF) / prefix to expect / raw bytes
  int ms = 0;        // kSleep duration, kDrip interval

  static DialogStep Send(std::string line) { return {Kind::kSend, std::move(line), 0}; }
  static DialogStep Raw(std::string bytes) { return {Kind::kRaw, std::move(bytes), 0}; }
  static DialogStep Expect(std::string prefix = {}) {
    return {Kind::kExpect, std::move(prefix), 0};
  }
  static DialogStep StartTls() { return {Kind::kStartTls, {}, 0}; }
  static DialogStep Sleep(int ms) { return {Kind::kSleep, {}, ms}; }
  static DialogStep Drip(std::string bytes, int interval_ms) {
    return {Kind::kDrip, std::move(bytes), interval_ms};
  }
  static DialogStep Flood() { return {Kind::kFlood, {}, 0}; }
  static DialogStep Hang() { return {Kind::kHang, {}, 0}; }
  static DialogStep Close() { return {Kind::kClose, {}, 0}; }
};

class DialogServer {
 public:
  // cert: "good", "selfsigned", "expired" (tests/data/certs) for TLS steps;
  // implicit_tls: handshake right after accepting.
  explicit DialogServer(std::vector<DialogStep> script, bool implicit_tls = false,
                        std::string cert = "good");
  ~DialogServer();
  DialogServer(const DialogServer&) = delete;
  DialogServer& operator=(const DialogServer&) = delete;

  uint16_t port() const { return port_; }
  // Client lines received so far, over all connections.
  std::vector<std::string> received() const;
  // Expect steps whose prefix did not match.
  std::vector<std::string> mismatches() const;
  int connections() const { return connections_.load(); }

 private:
  void Serve();
  void Play(Poco::Net::StreamSocket socket);
  bool ReadLine(Poco::Net::StreamSocket& socket, std::string& buffer, std::string& line);
  bool SendAll(Poco::Net::StreamSocket& socket, const std::string& data);

  std::vector<DialogStep> script_;
  bool implicit_tls_;
  std::string cert_;
  Poco::Net::ServerSocket listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
  std::vector<std::string> mismatches_;
  std::thread thread_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_UNIT_VERIFY_DIALOG_SERVER_H_
