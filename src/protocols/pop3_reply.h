// POP3 (RFC 1939, 2449, 5034) reply parsing: "+OK ..." / "-ERR ..." status
// lines, "+ ..." SASL continuations, and multi-line bodies ended by "."
// (dot-unstuffed, at most max_lines lines). Thread-safe.
#ifndef MAILSCOUT_PROTOCOLS_POP3_REPLY_H_
#define MAILSCOUT_PROTOCOLS_POP3_REPLY_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/line_io.h"

namespace mailscout {

constexpr size_t kMaxReplyLines = 1000;

struct Pop3Reply {
  enum class Kind { kOk, kErr, kContinuation };
  Kind kind = Kind::kOk;
  std::string text;  // after "+OK " / "-ERR " / "+ "
  std::string line;  // as received

  bool ok() const { return kind == Kind::kOk; }
};

// kProtocol when the line is none of the three forms.
Result<Pop3Reply> ParsePop3Reply(std::string_view line);

// Reads the lines of a multi-line body up to the terminating ".".
// kProtocol after max_lines lines without the end.
Result<std::vector<std::string>> ReadPop3MultiLine(LineIo& io, Deadline deadline, Phase phase,
                                                   size_t max_lines = kMaxReplyLines);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_POP3_REPLY_H_
