#include "net/line_channel.h"

#include <openssl/crypto.h>

#include <algorithm>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>

namespace mailscout {
namespace {

Error Cancelled() {
  return Error::Make(ErrorKind::kTimeout, "The check was cancelled", {}, Phase::kCancelled);
}

Error TimedOut(Phase phase) {
  return Error::Make(ErrorKind::kTimeout,
                     "The server did not answer in time (" + std::string(ToString(phase)) + ")", {},
                     phase);
}

Error Broken(Phase phase, const std::string& detail) {
  return Error::Make(ErrorKind::kProtocol, "The connection broke: " + detail, {}, phase);
}

Poco::Timespan Slice(Deadline deadline, bool sliced) {
  int64_t ms = deadline.remaining_ms();
  if (sliced) ms = std::min(ms, kCancelSliceMs);
  return Poco::Timespan(std::max<int64_t>(ms, 1) * 1000);
}

}  // namespace

LineChannel::LineChannel(const Poco::Net::StreamSocket& socket, Transcript* transcript,
                         const std::atomic<bool>* cancelled, size_t max_line)
    : socket_(socket),  // Poco sockets are shared handles: copying is cheap
      transcript_(transcript),
      cancelled_(cancelled),
      max_line_(max_line) {}

LineChannel::~LineChannel() { Close(); }

void LineChannel::Replace(const Poco::Net::StreamSocket& socket) {
  socket_ = socket;
  buffer_.clear();
  scanned_ = 0;
}

void LineChannel::Close() {
  if (closed_) return;
  closed_ = true;
  try {
    socket_.setSendTimeout(Poco::Timespan(200 * 1000));
    socket_.close();
  } catch (...) {
    // Closing is best effort.
  }
}

Status LineChannel::Fill(Deadline deadline, Phase phase) {
  if (closed_) return Broken(phase, "the connection is already closed");
  char chunk[16 * 1024];
  for (;;) {
    if (cancelled_ != nullptr && cancelled_->load()) return Cancelled();
    if (deadline.expired()) return TimedOut(phase);
    try {
      socket_.setReceiveTimeout(Slice(deadline, cancelled_ != nullptr));
      const int n = socket_.receiveBytes(chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        return OkStatus();
      }
      if (n == 0) {
        return Error::Make(ErrorKind::kProtocol, "The server closed the connection", {}, phase);
      }
      // n < 0: the TLS layer wants more data; wait again.
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Net::ConnectionResetException&) {
      return Error::Make(ErrorKind::kProtocol, "The server reset the connection", {}, phase);
    } catch (const Poco::Net::SSLException& e) {
      const std::string text = e.displayText();
      if (text.find("unexpected eof") != std::string::npos ||
          text.find("nexpectedly closed") != std::string::npos) {
        return Error::Make(ErrorKind::kProtocol, "The server closed the connection", {}, phase);
      }
      return Broken(phase, "TLS error (" + text + ")");
    } catch (const Poco::Exception& e) {
      return Broken(phase, e.displayText());
    }
  }
}

Result<std::string> LineChannel::ReadLine(Deadline deadline, Phase phase,
                                          std::string_view redact_prefix) {
  for (;;) {
    const size_t lf = buffer_.find('\n', scanned_);
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      scanned_ = 0;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.size() > max_line_) break;
      std::optional<std::string> redacted = RedactPayload(line, redact_prefix);
      transcript_->Server(redacted ? *redacted : line);
      return line;
    }
    scanned_ = buffer_.size();
    if (buffer_.size() > max_line_ + 1) break;
    if (Status s = Fill(deadline, phase); !s.ok()) {
      if (!buffer_.empty() && buffer_.size() <= kMaxShownLine) {
        transcript_->Server(buffer_ + " (incomplete line)");
      }
      return s.error();
    }
  }
  transcript_->Server(buffer_.substr(0, kMaxShownLine));
  transcript_->Note("(line too long; reading stopped)");
  buffer_.clear();
  scanned_ = 0;
  Close();
  return Error::Make(
      ErrorKind::kProtocol,
      "The server sent a line longer than " + std::to_string(max_line_ / 1024) + " KiB", {}, phase);
}

Result<std::string> LineChannel::ReadBytes(size_t n, Deadline deadline, Phase phase) {
  if (n > max_line_) {
    return Error::Make(ErrorKind::kProtocol,
                       "The server announced " + std::to_string(n) + " bytes, more than " +
                           std::to_string(max_line_ / 1024) + " KiB",
                       {}, phase);
  }
  while (buffer_.size() < n) {
    if (Status s = Fill(deadline, phase); !s.ok()) return s.error();
  }
  std::string bytes = buffer_.substr(0, n);
  buffer_.erase(0, n);
  scanned_ = 0;
  transcript_->Server("{" + std::to_string(n) + " bytes}");
  return bytes;
}

Status LineChannel::WriteLine(std::string_view line, Deadline deadline, Phase phase,
                              std::string_view shown) {
  transcript_->Client(shown.empty() ? line : shown);
  if (closed_) return Broken(phase, "the connection is already closed");
  std::string data(line);
  data += "\r\n";
  size_t sent = 0;
  Status status = OkStatus();
  while (sent < data.size()) {
    if (cancelled_ != nullptr && cancelled_->load()) {
      status = Cancelled();
      break;
    }
    if (deadline.expired()) {
      status = TimedOut(phase);
      break;
    }
    try {
      socket_.setSendTimeout(Slice(deadline, cancelled_ != nullptr));
      const int n = socket_.sendBytes(data.data() + sent, static_cast<int>(data.size() - sent));
      if (n > 0) sent += static_cast<size_t>(n);
    } catch (const Poco::TimeoutException&) {
      continue;
    } catch (const Poco::Exception& e) {
      status = Broken(phase, "could not send (" + e.displayText() + ")");
      break;
    }
  }
  OPENSSL_cleanse(data.data(), data.size());
  return status;
}

}  // namespace mailscout
