// IMAP4 (RFC 3501/9051) response parsing, just enough for logging in:
// tagged status responses, untagged responses (CAPABILITY, OK/BYE with
// response codes), continuation requests, and literals ({n} / {n+}) inside
// responses. Pure functions plus one reader over LineIo; thread-safe.
//
// Bounds: at most kMaxImapLiterals literals per response, each and the whole
// response at most kMaxLineLength; beyond that kProtocol.
#ifndef MAILSCOUT_PROTOCOLS_IMAP_RESPONSE_H_
#define MAILSCOUT_PROTOCOLS_IMAP_RESPONSE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/line_io.h"

namespace mailscout {

constexpr int kMaxImapLiterals = 16;

struct ImapResponse {
  enum class Kind { kUntagged, kTagged, kContinuation };
  Kind kind = Kind::kUntagged;
  std::string tag;  // tagged responses only
  // Upper-case keyword: "OK" / "NO" / "BAD" / "BYE" / "PREAUTH" for status
  // responses, else the data keyword ("CAPABILITY", "EXISTS", ...). Empty
  // for continuations.
  std::string status;
  std::string code;  // response code without brackets: "AUTHENTICATIONFAILED", "CAPABILITY ..."
  std::string text;  // what follows (human text; for "* CAPABILITY" the atoms)
  std::string line;  // the response as received, literals inlined

  // First word of code, upper-case ("CAPABILITY", "AUTHENTICATIONFAILED").
  std::string CodeName() const;
  // Capability atoms from "* CAPABILITY ..." or a [CAPABILITY ...] code;
  // empty when this response carries none.
  std::vector<std::string> Capabilities() const;
};

// Parses one complete response. kProtocol for anything that is not IMAP
// (the message quotes the start of the line).
Result<ImapResponse> ParseImapResponse(std::string_view line);

// Size of a literal announced at the end of a line ("{12}" or "{12+}").
std::optional<size_t> ImapTrailingLiteral(std::string_view line);

// Reads one response including literals (the literal bytes are inlined in
// the returned text, their announcement kept). redact_prefix as in
// LineIo::ReadLine.
Result<std::string> ReadImapResponseText(LineIo& io, Deadline deadline, Phase phase,
                                         std::string_view redact_prefix = {});

// Splits on spaces, dropping empty items.
std::vector<std::string> SplitWords(std::string_view text);

// IMAP quoted string ("a\"b") when possible; nullopt when the value needs a
// literal (CR, LF, NUL or 8-bit characters).
std::optional<std::string> ImapQuote(std::string_view value);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_IMAP_RESPONSE_H_
