// Transcript: the dialog of one check ("C: ..." / "S: ..." / "-- ..."), for
// --transcript, with every credential replaced by "***".
//
// Two layers keep secrets out: callers mark credential lines (they pass a
// redacted form to show), and Scrub() replaces any registered secret (the
// password, the OAuth token, and their SASL encodings) that still appears in
// a line or message, e.g. because a broken server echoed it back.
//
// Bounded: at most kMaxTranscriptLines lines of at most kMaxShownLine
// characters each. One Transcript per check; not thread-safe.
#ifndef MAILSCOUT_NET_TRANSCRIPT_H_
#define MAILSCOUT_NET_TRANSCRIPT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailscout {

constexpr size_t kMaxTranscriptLines = 500;
constexpr size_t kMaxShownLine = 300;
constexpr std::string_view kRedacted = "***";
constexpr size_t kShortSecret = 6;

class Transcript {
 public:
  explicit Transcript(bool enabled = false) : enabled_(enabled) {}
  ~Transcript();
  Transcript(const Transcript&) = delete;
  Transcript& operator=(const Transcript&) = delete;

  bool enabled() const { return enabled_; }

  // Registers a secret to scrub from everything recorded or passed to
  // Scrub(). Empty secrets are ignored. Copies are wiped on destruction.
  void AddSecret(std::string_view secret);

  void Client(std::string_view line) { Add("C: ", line); }
  void Server(std::string_view line) { Add("S: ", line); }
  void Note(std::string_view text) { Add("-- ", text); }

  // `text` with every registered secret replaced by "***".
  // A secret shorter than kShortSecret characters is replaced only where it
  // stands as a whole token (no letter or digit right before or after it),
  // so a password "x" does not turn "example.com" into "e***ample.com".
  std::string Scrub(std::string_view text) const;

  // The recorded lines; leaves the transcript empty.
  std::vector<std::string> Take();

 private:
  void Add(std::string_view prefix, std::string_view line);

  bool enabled_;
  std::vector<std::string> secrets_;
  std::vector<std::string> lines_;
  bool truncated_ = false;
};

// SASL payload redaction: with prefix "+", "+ c2VjcmV0" -> "+ ***" and "+"
// -> "+"; with "334", "334 abc" -> "334 ***". nullopt when the line is not
// such a challenge ("+OK ...", "a1 OK ...", "235 ...") or prefix is empty.
std::optional<std::string> RedactPayload(std::string_view line, std::string_view prefix);

}  // namespace mailscout

#endif  // MAILSCOUT_NET_TRANSCRIPT_H_
