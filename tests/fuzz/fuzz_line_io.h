// FuzzLineIo: a LineIo whose server side is the fuzz input. Reads past the
// end are "connection closed"; writes are recorded only as transcript lines,
// where a fuzz target can check that the secret never appears.
#ifndef MAILSCOUT_TESTS_FUZZ_FUZZ_LINE_IO_H_
#define MAILSCOUT_TESTS_FUZZ_FUZZ_LINE_IO_H_

#include <string>
#include <string_view>

#include "net/line_io.h"
#include "net/transcript.h"

namespace mailscout {

class FuzzLineIo : public LineIo {
 public:
  explicit FuzzLineIo(std::string_view server) : server_(server), transcript_(true) {}

  Result<std::string> ReadLine(Deadline, Phase phase,
                               std::string_view redact_prefix = {}) override {
    size_t lf = server_.find('\n');
    if (lf == std::string_view::npos) return Closed(phase);
    if (lf > kMaxLineLength) {
      return Error::Make(ErrorKind::kProtocol, "line too long", {}, phase);
    }
    std::string line(server_.substr(0, lf));
    server_.remove_prefix(lf + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::optional<std::string> redacted = RedactPayload(line, redact_prefix);
    transcript_.Server(redacted ? *redacted : line);
    return line;
  }

  Result<std::string> ReadBytes(size_t n, Deadline, Phase phase) override {
    if (n > kMaxLineLength || server_.size() < n) return Closed(phase);
    std::string bytes(server_.substr(0, n));
    server_.remove_prefix(n);
    return bytes;
  }

  Status WriteLine(std::string_view line, Deadline, Phase, std::string_view shown = {}) override {
    transcript_.Client(shown.empty() ? line : shown);
    return OkStatus();
  }

  Transcript& transcript() override { return transcript_; }

 private:
  static Error Closed(Phase phase) {
    return Error::Make(ErrorKind::kProtocol, "closed", {}, phase);
  }

  std::string_view server_;
  Transcript transcript_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_FUZZ_FUZZ_LINE_IO_H_
