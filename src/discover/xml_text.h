// Small text helpers shared by the XML parsers of discovery
// (autodiscover.cc, client_config.cc): bounded trimming, ASCII lower-casing,
// port numbers, and parsing a bounded document with tinyxml2.
//
// Pure functions, no state: safe from any thread. Failures are values:
// ParsePortText returns nullopt, ParseXmlDocument an Error (kProtocol).
#ifndef MAILSCOUT_DISCOVER_XML_TEXT_H_
#define MAILSCOUT_DISCOVER_XML_TEXT_H_

#include <tinyxml2.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace mailscout {

// `s` without leading and trailing white space, cut to at most max_chars.
std::string TrimText(std::string_view s, size_t max_chars);

// `s` with ASCII letters lower-cased; other bytes (UTF-8) unchanged.
std::string LowerAscii(std::string s);

// A decimal port number 1..65535 (at most 5 digits, nothing else); nullopt
// otherwise.
std::optional<uint16_t> ParsePortText(const std::string& text);

// Parses `xml` into `doc` (which the caller builds with the options it
// wants). `what` names the document in messages ("the configuration
// file"). Errors (kProtocol): "<what> is larger than N KiB" (over
// max_bytes), "<what> is empty", "<what> is not well-formed XML (<reason>)"
// with tinyxml2's reason trimmed to max_text characters.
Status ParseXmlDocument(std::string_view xml, size_t max_bytes, const std::string& what,
                        size_t max_text, tinyxml2::XMLDocument* doc);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_XML_TEXT_H_
