#include "discover/xml_text.h"

#include <algorithm>
#include <cctype>

namespace mailscout {

std::string TrimText(std::string_view s, size_t max_chars) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, std::min(e - b, max_chars)));
}

std::string LowerAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
  });
  return s;
}

std::optional<uint16_t> ParsePortText(const std::string& text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

Status ParseXmlDocument(std::string_view xml, size_t max_bytes, const std::string& what,
                        size_t max_text, tinyxml2::XMLDocument* doc) {
  if (xml.size() > max_bytes) {
    return Error::Make(ErrorKind::kProtocol,
                       what + " is larger than " + std::to_string(max_bytes / 1024) + " KiB");
  }
  if (xml.empty()) return Error::Make(ErrorKind::kProtocol, what + " is empty");
  if (doc->Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    std::string reason = doc->ErrorStr() != nullptr ? doc->ErrorStr() : "parse error";
    return Error::Make(ErrorKind::kProtocol,
                       what + " is not well-formed XML (" + TrimText(reason, max_text) + ")");
  }
  return OkStatus();
}

}  // namespace mailscout
