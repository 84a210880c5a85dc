// Fuzz target: email address parsing with IDN conversion (libidn2).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/email_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto address = mailscout::EmailAddress::Parse(text);
  if (address.ok()) {
    // Invariants of a parsed address.
    if (address->ascii_domain().empty() || address->local_part().empty()) __builtin_trap();
    if (address->ascii_domain().size() > 253) __builtin_trap();
    for (unsigned char c : address->ascii_domain()) {
      if (c >= 0x80 || (c >= 'A' && c <= 'Z')) __builtin_trap();
    }
    // The ASCII form parses again to the same domain.
    auto again = mailscout::EmailAddress::Parse(address->ascii());
    if (!again.ok() || again->ascii_domain() != address->ascii_domain()) __builtin_trap();
  } else if (address.error().message.empty()) {
    __builtin_trap();
  }
  return 0;
}
