#include "protocols/imap_response.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace mailscout {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error NotImap(std::string_view line) {
  std::string start(line.substr(0, 80));
  return Error::Make(ErrorKind::kProtocol,
                     "The server sent something that is not an IMAP response: \"" + start +
                         (line.size() > 80 ? "...\"" : "\""),
                     std::string(line.substr(0, 200)));
}

bool IsStatus(std::string_view word) {
  return word == "OK" || word == "NO" || word == "BAD" || word == "BYE" || word == "PREAUTH";
}

bool IsTagChar(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
         c != '"' && c != '\\' && c != '+';
}

// Splits "[CODE args] text" into code and text.
void SplitCode(std::string_view rest, ImapResponse* response) {
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close != std::string_view::npos) {
      response->code = std::string(rest.substr(1, close - 1));
      rest.remove_prefix(close + 1);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
  }
  response->text = std::string(rest);
}

}  // namespace

std::string ImapResponse::CodeName() const { return Upper(code.substr(0, code.find(' '))); }

std::vector<std::string> ImapResponse::Capabilities() const {
  if (kind == Kind::kUntagged && status == "CAPABILITY") return SplitWords(text);
  if (CodeName() == "CAPABILITY") {
    std::vector<std::string> words = SplitWords(code);
    words.erase(words.begin());
    return words;
  }
  return {};
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) words.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

Result<ImapResponse> ParseImapResponse(std::string_view line) {
  ImapResponse response;
  response.line = std::string(line);
  if (line.empty()) return NotImap(line);
  if (line[0] == '+') {
    if (line.size() > 1 && line[1] != ' ') return NotImap(line);
    response.kind = ImapResponse::Kind::kContinuation;
    response.text = line.size() > 2 ? std::string(line.substr(2)) : std::string();
    return response;
  }
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || space == 0) return NotImap(line);
  std::string_view first = line.substr(0, space);
  std::string_view rest = line.substr(space + 1);
  if (first == "*") {
    response.kind = ImapResponse::Kind::kUntagged;
    // "* 3 EXISTS": skip a message number.
    if (!rest.empty() && std::isdigit(static_cast<unsigned char>(rest[0]))) {
      const size_t after = rest.find(' ');
      if (after == std::string_view::npos) return NotImap(line);
      rest.remove_prefix(after + 1);
    }
  } else {
    if (!std::all_of(first.begin(), first.end(), IsTagChar)) return NotImap(line);
    response.kind = ImapResponse::Kind::kTagged;
    response.tag = std::string(first);
  }
  const size_t word_end = std::min(rest.find(' '), rest.size());
  response.status = Upper(rest.substr(0, word_end));
  if (response.status.empty()) return NotImap(line);
  rest.remove_prefix(word_end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (response.kind == ImapResponse::Kind::kTagged &&
      (response.status != "OK" && response.status != "NO" && response.status != "BAD")) {
    return NotImap(line);
  }
  if (IsStatus(response.status)) {
    SplitCode(rest, &response);
  } else {
    response.text = std::string(rest);
  }
  return response;
}

std::optional<size_t> ImapTrailingLiteral(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, line.size() - open - 2);
  if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
  if (digits.empty()) return std::nullopt;
  size_t n = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    // Saturate: an absurd size is still a literal (and refused as too big).
    n = n > SIZE_MAX / 100 ? SIZE_MAX / 10 : n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

Result<std::string> ReadImapResponseText(LineIo& io, Deadline deadline, Phase phase,
                                         std::string_view redact_prefix) {
  Result<std::string> first = io.ReadLine(deadline, phase, redact_prefix);
  if (!first.ok()) return first;
  std::string response = std::move(first.value());
  for (int literals = 0;; ++literals) {
    std::optional<size_t> size = ImapTrailingLiteral(response);
    if (!size) return response;
    if (literals >= kMaxImapLiterals) {
      return Error::Make(ErrorKind::kProtocol,
                         "The server sent more than " + std::to_string(kMaxImapLiterals) +
                             " literals in one response",
                         {}, phase);
    }
    if (*size > kMaxLineLength || *size + response.size() > kMaxLineLength) {
      return Error::Make(ErrorKind::kProtocol,
                         "The server sent a response longer than " +
                             std::to_string(kMaxLineLength / 1024) + " KiB",
                         {}, phase);
    }
    Result<std::string> bytes = io.ReadBytes(*size, deadline, phase);
    if (!bytes.ok()) return bytes;
    Result<std::string> more = io.ReadLine(deadline, phase, redact_prefix);
    if (!more.ok()) return more;
    response += "\r\n" + bytes.value() + more.value();
  }
}

std::optional<std::string> ImapQuote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return std::nullopt;
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace mailscout
