#include "protocols/pop3_reply.h"

namespace mailscout {

Result<Pop3Reply> ParsePop3Reply(std::string_view line) {
  Pop3Reply reply;
  reply.line = std::string(line);
  auto rest_after = [&](size_t n) {
    std::string_view rest = line.substr(n);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return std::string(rest);
  };
  if (line.substr(0, 3) == "+OK" && (line.size() == 3 || line[3] == ' ')) {
    reply.kind = Pop3Reply::Kind::kOk;
    reply.text = rest_after(3);
  } else if (line.substr(0, 4) == "-ERR" && (line.size() == 4 || line[4] == ' ')) {
    reply.kind = Pop3Reply::Kind::kErr;
    reply.text = rest_after(4);
  } else if (line == "+" || line.substr(0, 2) == "+ ") {
    reply.kind = Pop3Reply::Kind::kContinuation;
    reply.text = rest_after(1);
  } else {
    std::string start(line.substr(0, 80));
    return Error::Make(ErrorKind::kProtocol,
                       "The server sent something that is not a POP3 reply: \"" + start +
                           (line.size() > 80 ? "...\"" : "\""),
                       std::string(line.substr(0, 200)));
  }
  return reply;
}

Result<std::vector<std::string>> ReadPop3MultiLine(LineIo& io, Deadline deadline, Phase phase,
                                                   size_t max_lines) {
  std::vector<std::string> lines;
  for (;;) {
    Result<std::string> line = io.ReadLine(deadline, phase);
    if (!line.ok()) return line.error();
    std::string& text = line.value();
    if (text == ".") return lines;
    if (lines.size() >= max_lines) {
      return Error::Make(ErrorKind::kProtocol,
                         "The server sent more than " + std::to_string(max_lines) +
                             " lines in one reply without ending it",
                         {}, phase);
    }
    if (!text.empty() && text[0] == '.') text.erase(0, 1);
    lines.push_back(std::move(text));
  }
}

}  // namespace mailscout
