// FakeLineIo: a scripted LineIo for protocol-session unit tests.
//
// The server side is a byte buffer (initially the greeting). Each client
// WriteLine is checked against the next script step's expected prefix and
// then appends that step's reply to the buffer. Reading past the buffer is
// "the server closed the connection" (kProtocol); a step marked `silent`
// makes reads time out instead. Records what the client sent (raw and as
// shown in the transcript). Single-threaded.
#ifndef MAILSCOUT_TESTS_UNIT_PROTOCOLS_FAKE_LINE_IO_H_
#define MAILSCOUT_TESTS_UNIT_PROTOCOLS_FAKE_LINE_IO_H_

#include <deque>
#include <string>
#include <vector>

#include "net/line_io.h"
#include "net/transcript.h"

namespace mailscout {

class FakeLineIo : public LineIo {
 public:
  struct Step {
    std::string expect;  // prefix the client line must start with
    std::string reply;   // bytes the server then sends (use \r\n)
  };

  explicit FakeLineIo(std::string greeting = {})
      : buffer_(std::move(greeting)), transcript_(true) {}

  void Then(std::string expect, std::string reply) { script_.push_back({expect, reply}); }

  Result<std::string> ReadLine(Deadline, Phase phase,
                               std::string_view redact_prefix = {}) override {
    const size_t lf = buffer_.find('\n');
    if (lf == std::string::npos) return Closed(phase);
    std::string line = buffer_.substr(0, lf);
    buffer_.erase(0, lf + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::optional<std::string> redacted = RedactPayload(line, redact_prefix);
    transcript_.Server(redacted ? *redacted : line);
    return line;
  }

  Result<std::string> ReadBytes(size_t n, Deadline, Phase phase) override {
    if (buffer_.size() < n) return Closed(phase);
    std::string bytes = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return bytes;
  }

  Status WriteLine(std::string_view line, Deadline, Phase phase,
                   std::string_view shown = {}) override {
    sent.emplace_back(line);
    transcript_.Client(shown.empty() ? line : shown);
    if (script_.empty()) {
      errors.push_back("unexpected client line: " + std::string(line));
      return OkStatus();
    }
    Step step = script_.front();
    script_.pop_front();
    if (line.substr(0, step.expect.size()) != step.expect) {
      errors.push_back("expected '" + step.expect + "', got '" + std::string(line) + "'");
    }
    buffer_ += step.reply;
    return OkStatus();
  }

  Transcript& transcript() override { return transcript_; }

  bool script_done() const { return script_.empty(); }
  std::string TranscriptText() {
    std::string out;
    for (const auto& l : transcript_.Take()) out += l + "\n";
    return out;
  }

  std::vector<std::string> sent;    // raw client lines
  std::vector<std::string> errors;  // script mismatches

 private:
  static Error Closed(Phase phase) {
    return Error::Make(ErrorKind::kProtocol, "The server closed the connection", {}, phase);
  }

  std::string buffer_;
  std::deque<Step> script_;
  Transcript transcript_;
};

inline Deadline Soon() { return Deadline::AfterMs(2000); }

}  // namespace mailscout

#endif  // MAILSCOUT_TESTS_UNIT_PROTOCOLS_FAKE_LINE_IO_H_
