// Base64 (RFC 4648, standard alphabet, with padding) for SASL payloads.
// Pure functions, thread-safe.
#ifndef MAILSCOUT_PROTOCOLS_BASE64_H_
#define MAILSCOUT_PROTOCOLS_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace mailscout {

std::string Base64Encode(std::string_view data);

// Strict decode: only the standard alphabet, correct padding, no spaces.
// nullopt for anything else (the caller reports a protocol error).
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace mailscout

#endif  // MAILSCOUT_PROTOCOLS_BASE64_H_
