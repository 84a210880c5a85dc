// SMTP (RFC 5321, 4954) reply parsing: multi-line replies ("250-..." lines
// ending with "250 ..."), EHLO keywords and AUTH mechanisms. Thread-safe.
// Bounds: at most kMaxReplyLines lines per reply (pop3_reply.h), else
// kProtocol; every line of a reply must carry the same code.
#ifndef MAILSCOUT_PROTOCOLS_SMTP_REPLY_H_
#define MAILSCOUT_PROTOCOLS_SMTP_REPLY_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/line_io.h"
#include "protocols/pop3_reply.h"

namespace mailscout {

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // text of each line, without code and separator

  std::string Text() const;  // lines joined with " "
  std::string Raw() const;   // "250-a / 250 b" as one line for reports
  bool positive() const { return code >= 200 && code < 400; }
};

// Feeds reply lines one at a time.
class SmtpReplyParser {
 public:
  explicit SmtpReplyParser(size_t max_lines = kMaxReplyLines) : max_lines_(max_lines) {}
  // kProtocol for a malformed line, a changed code, or too many lines.
  Status Add(std::string_view line);
  bool complete() const { return complete_; }
  const SmtpReply& reply() const { return reply_; }

 private:
  size_t max_lines_;
  SmtpReply reply_;
  bool complete_ = false;
};

// Reads one complete reply.
Result<SmtpReply> ReadSmtpReply(LineIo& io, Deadline deadline, Phase phase,
                                std::string_view redact_prefix = {},
                                size_t max_lines = kMaxReplyLines);

// EHLO keywords with their parameters ("SIZE 10240000", "AUTH PLAIN LOGIN"):
// every line after the first, which is the server's greeting name.
std::vector<std::string> EhloKeywords(const SmtpReply& ehlo);

// Mechanisms from "AUTH a b" (and the old "AUTH=a b") keywords, upper-case.
std::vector<std::string> SmtpAuthMechanisms(const std::vector<std::string>& keywords);

// True when keywords contain `name` (case-insensitive, first word only).
bool HasEhloKeyword(const std::vector<std::string>& keywords, std::string_view name);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_SMTP_REPLY_H_
