// LineChannel: LineIo over a connected Poco socket (plain or TLS).
//
// Reads go through an internal buffer; each read waits at most until its
// deadline (the socket's receive timeout is set to the time left, in slices
// of at most kCancelSliceMs so a cancel flag is noticed quickly). Lines are
// bounded by max_line (default kMaxLineLength). Poco exceptions are caught
// here and become Errors: timeouts kTimeout (phase as given), a closed or
// broken connection kProtocol.
//
// STARTTLS: after the server's go-ahead, call HasBufferedData() (data the
// server sent before the handshake would be a command-injection attack, RFC
// 3207 section 4.2 / CVE-2011-0411: treat it as kProtocol) and then
// Replace() with the secure socket.
//
// Owns a handle to the socket (Poco sockets are shared handles). One thread.
#ifndef MAILSCOUT_NET_LINE_CHANNEL_H_
#define MAILSCOUT_NET_LINE_CHANNEL_H_

#include <atomic>
#include <string>

#include <Poco/Net/StreamSocket.h>

#include "net/line_io.h"

namespace mailscout {

constexpr int64_t kCancelSliceMs = 100;

class LineChannel : public LineIo {
 public:
  // transcript must outlive the channel; cancelled may be null.
  LineChannel(const Poco::Net::StreamSocket& socket, Transcript* transcript,
              const std::atomic<bool>* cancelled = nullptr, size_t max_line = kMaxLineLength);
  ~LineChannel() override;

  Result<std::string> ReadLine(Deadline deadline, Phase phase,
                               std::string_view redact_prefix = {}) override;
  Result<std::string> ReadBytes(size_t n, Deadline deadline, Phase phase) override;
  Status WriteLine(std::string_view line, Deadline deadline, Phase phase,
                   std::string_view shown = {}) override;
  Transcript& transcript() override { return *transcript_; }

  bool HasBufferedData() const { return !buffer_.empty(); }
  // Continue on another socket (the TLS one after STARTTLS). Drops the buffer.
  void Replace(const Poco::Net::StreamSocket& socket);
  Poco::Net::StreamSocket& socket() { return socket_; }
  // Closes the socket; later calls fail with kProtocol. Never throws.
  void Close();

 private:
  // Appends at least one byte to buffer_ or fails.
  Status Fill(Deadline deadline, Phase phase);

  Poco::Net::StreamSocket socket_;
  Transcript* transcript_;
  const std::atomic<bool>* cancelled_;
  size_t max_line_;
  std::string buffer_;
  size_t scanned_ = 0;  // bytes of buffer_ already known to hold no LF
  bool closed_ = false;
};

}  // namespace mailscout

#endif  // MAILSCOUT_NET_LINE_CHANNEL_H_
