// LineIo: line-oriented I/O with deadlines, as the mail protocol sessions
// (protocols/) see a connection. LineChannel is the real one over a socket;
// tests script a fake.
//
// Contract for every implementation:
//   - every call finishes by its deadline: kTimeout with Error::phase = phase;
//   - a line longer than the implementation's limit, or the peer closing the
//     connection, is kProtocol;
//   - lines are recorded in the Transcript (redacted as asked), never
//     secrets passed as `shown` replacements.
// One LineIo per connection, used by one thread.
#ifndef MAILSCOUT_NET_LINE_IO_H_
#define MAILSCOUT_NET_LINE_IO_H_

#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/phase.h"
#include "core/result.h"
#include "net/transcript.h"

namespace mailscout {

// Longest line or literal a server may send (IMAP CAPABILITY lines of big
// servers are a few KiB).
constexpr size_t kMaxLineLength = 64 * 1024;

class LineIo {
 public:
  virtual ~LineIo() = default;

  // One line without its CRLF (a bare LF also ends a line). When
  // redact_prefix is not empty and the line is a SASL challenge starting
  // with it ("+", "334"), the transcript shows "<prefix> ***" instead
  // (see RedactPayload in transcript.h).
  virtual Result<std::string> ReadLine(Deadline deadline, Phase phase,
                                       std::string_view redact_prefix = {}) = 0;

  // Exactly n raw bytes (an IMAP literal), n <= kMaxLineLength.
  virtual Result<std::string> ReadBytes(size_t n, Deadline deadline, Phase phase) = 0;

  // Sends line + CRLF. The transcript shows `shown` instead when it is not
  // empty (use it for every line that carries a credential).
  virtual Status WriteLine(std::string_view line, Deadline deadline, Phase phase,
                           std::string_view shown = {}) = 0;

  virtual Transcript& transcript() = 0;
};

}  // namespace mailscout

#endif  // MAILSCOUT_NET_LINE_IO_H_
