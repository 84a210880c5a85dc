#include "dialog_server.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SecureStreamSocket.h>

namespace mailscout {
namespace {

const std::string kCerts = std::string(MAILSCOUT_SOURCE_DIR) + "/tests/data/certs/";
constexpr int kPollMs = 20;

Poco::Net::Context::Ptr ServerContext(const std::string& cert) {
  return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, kCerts + cert + ".key",
                                kCerts + cert + ".pem", "", Poco::Net::Context::VERIFY_NONE);
}

}  // namespace

DialogServer::DialogServer(std::vector<DialogStep> script, bool implicit_tls, std::string cert)
    : script_(std::move(script)),
      implicit_tls_(implicit_tls),
      cert_(std::move(cert)),
      listener_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
  port_ = listener_.address().port();
  thread_ = std::thread([this] { Serve(); });
}

DialogServer::~DialogServer() {
  stop_ = true;
  thread_.join();
}

std::vector<std::string> DialogServer::received() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return received_;
}

std::vector<std::string> DialogServer::mismatches() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return mismatches_;
}

void DialogServer::Serve() {
  while (!stop_) {
    try {
      if (!listener_.poll(Poco::Timespan(kPollMs * 1000), Poco::Net::Socket::SELECT_READ)) {
        continue;
      }
      Poco::Net::StreamSocket client = listener_.acceptConnection();
      ++connections_;
      Play(client);
    } catch (const Poco::Exception&) {
      // A client that went away; serve the next one.
    }
  }
}

bool DialogServer::SendAll(Poco::Net::StreamSocket& socket, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size() && !stop_) {
    int n = socket.sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return sent == data.size();
}

bool DialogServer::ReadLine(Poco::Net::StreamSocket& socket, std::string& buffer,
                            std::string& line) {
  char chunk[4096];
  while (!stop_) {
    const size_t lf = buffer.find('\n');
    if (lf != std::string::npos) {
      line = buffer.substr(0, lf);
      buffer.erase(0, lf + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    try {
      socket.setReceiveTimeout(Poco::Timespan(kPollMs * 1000));
      int n = socket.receiveBytes(chunk, sizeof chunk);
      if (n == 0) return false;
      if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
    } catch (const Poco::TimeoutException&) {
    }
  }
  return false;
}

void DialogServer::Play(Poco::Net::StreamSocket socket) {
  std::string buffer;
  std::string tag = "*";
  try {
    if (implicit_tls_) socket = Poco::Net::SecureStreamSocket::attach(socket, ServerContext(cert_));
    for (const DialogStep& step : script_) {
      if (stop_) return;
      switch (step.kind) {
        case DialogStep::Kind::kSend: {
          std::string line = step.text;
          for (size_t pos; (pos = line.find("{tag}")) != std::string::npos;) {
            line.replace(pos, 5, tag);
          }
          if (!SendAll(socket, line + "\r\n")) return;
          break;
        }
        case DialogStep::Kind::kRaw:
          if (!SendAll(socket, step.text)) return;
          break;
        case DialogStep::Kind::kExpect: {
          std::string line;
          if (!ReadLine(socket, buffer, line)) return;
          tag = line.substr(0, line.find(' '));
          std::lock_guard<std::mutex> lock(mutex_);
          received_.push_back(line);
          if (line.compare(0, step.text.size(), step.text) != 0) {
            mismatches_.push_back("expected '" + step.text + "', got '" + line + "'");
          }
          break;
        }
        case DialogStep::Kind::kStartTls:
          socket = Poco::Net::SecureStreamSocket::attach(socket, ServerContext(cert_));
          buffer.clear();
          break;
        case DialogStep::Kind::kSleep:
          for (int waited = 0; waited < step.ms && !stop_; waited += 5) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
          break;
        case DialogStep::Kind::kDrip:
          for (char c : step.text) {
            if (stop_ || socket.sendBytes(&c, 1) != 1) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(step.ms));
          }
          break;
        case DialogStep::Kind::kFlood: {
          const std::string chunk(8192, 'A');
          while (!stop_ && SendAll(socket, chunk)) {
          }
          return;
        }
        case DialogStep::Kind::kHang:
          while (!stop_) {
            // Keep reading so the client's writes never block; record lines.
            std::string line;
            if (!ReadLine(socket, buffer, line)) return;
            std::lock_guard<std::mutex> lock(mutex_);
            received_.push_back(line);
          }
          return;
        case DialogStep::Kind::kClose:
          socket.close();
          return;
      }
    }
    // Script done: drain until the client closes (so LOGOUT/QUIT get read).
    std::string line;
    while (ReadLine(socket, buffer, line)) {
      std::lock_guard<std::mutex> lock(mutex_);
      received_.push_back(line);
    }
  } catch (const Poco::Exception&) {
  }
}

}  // namespace mailscout
