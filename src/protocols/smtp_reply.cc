#include "protocols/smtp_reply.h"

#include <algorithm>
#include <cctype>

#include "protocols/imap_response.h"

namespace mailscout {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Error NotSmtp(std::string_view line, std::string why) {
  std::string start(line.substr(0, 80));
  return Error::Make(
      ErrorKind::kProtocol,
      "The server sent " + why + ": \"" + start + (line.size() > 80 ? "...\"" : "\""),
      std::string(line.substr(0, 200)));
}

}  // namespace

std::string SmtpReply::Text() const {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += ' ';
    out += line;
  }
  return out;
}

std::string SmtpReply::Raw() const {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += " / ";
    out += std::to_string(code) + (i + 1 < lines.size() ? "-" : " ") + lines[i];
  }
  return out;
}

Status SmtpReplyParser::Add(std::string_view line) {
  if (complete_) return NotSmtp(line, "a line after the end of a reply");
  if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
      !std::isdigit(static_cast<unsigned char>(line[1])) ||
      !std::isdigit(static_cast<unsigned char>(line[2])) || line[0] < '2' || line[0] > '5' ||
      (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
    return NotSmtp(line, "something that is not an SMTP reply");
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code) {
    return NotSmtp(line, "a reply whose lines carry different codes");
  }
  if (reply_.lines.size() >= max_lines_) {
    return Error::Make(ErrorKind::kProtocol, "The server sent more than " +
                                                 std::to_string(max_lines_) +
                                                 " lines in one reply without ending it");
  }
  reply_.code = code;
  reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  complete_ = line.size() == 3 || line[3] == ' ';
  return OkStatus();
}

Result<SmtpReply> ReadSmtpReply(LineIo& io, Deadline deadline, Phase phase,
                                std::string_view redact_prefix, size_t max_lines) {
  SmtpReplyParser parser(max_lines);
  while (!parser.complete()) {
    Result<std::string> line = io.ReadLine(deadline, phase, redact_prefix);
    if (!line.ok()) return line.error();
    if (Status s = parser.Add(line.value()); !s.ok()) {
      Error e = s.error();
      e.phase = phase;
      return e;
    }
  }
  return parser.reply();
}

std::vector<std::string> EhloKeywords(const SmtpReply& ehlo) {
  if (ehlo.lines.size() < 2) return {};
  return std::vector<std::string>(ehlo.lines.begin() + 1, ehlo.lines.end());
}

std::vector<std::string> SmtpAuthMechanisms(const std::vector<std::string>& keywords) {
  std::vector<std::string> mechanisms;
  for (const std::string& keyword : keywords) {
    std::string upper = Upper(keyword);
    std::string_view rest;
    if (upper.rfind("AUTH ", 0) == 0 || upper.rfind("AUTH=", 0) == 0) {
      rest = std::string_view(upper).substr(5);
    } else {
      continue;
    }
    for (std::string& m : SplitWords(rest)) {
      if (std::find(mechanisms.begin(), mechanisms.end(), m) == mechanisms.end()) {
        mechanisms.push_back(std::move(m));
      }
    }
  }
  return mechanisms;
}

bool HasEhloKeyword(const std::vector<std::string>& keywords, std::string_view name) {
  const std::string wanted = Upper(name);
  for (const std::string& keyword : keywords) {
    if (Upper(keyword.substr(0, keyword.find(' '))) == wanted) return true;
  }
  return false;
}

}  // namespace mailscout
