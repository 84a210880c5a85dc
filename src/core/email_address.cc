#include "core/email_address.h"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace mailscout {
namespace {

constexpr size_t kMaxLocalPart = 64;
constexpr size_t kMaxDomain = 253;
constexpr size_t kMaxLabel = 63;

Error BadInput(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 (RFC 6531)
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
  });
  return out;
}

bool IsLdh(std::string_view label) {
  if (label.empty() || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
}

}  // namespace

Result<std::string> ToAsciiDomain(std::string_view name) {
  std::string lowered = Lower(name);
  if (!lowered.empty() && lowered.back() == '.') lowered.pop_back();
  if (lowered.empty()) return BadInput("the domain is empty");
  if (lowered.find('\0') != std::string::npos) return BadInput("the domain contains a NUL byte");
  if (lowered.size() > 4 * kMaxDomain) return BadInput("the domain is too long");

  const bool ascii =
      std::all_of(lowered.begin(), lowered.end(), [](unsigned char c) { return c < 0x80; });
  std::string result;
  if (ascii) {
    result = lowered;
  } else {
    char* out = nullptr;
    int rc = idn2_to_ascii_8z(lowered.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
      // Retry with transitional processing, as browsers do for some names.
      rc = idn2_to_ascii_8z(lowered.c_str(), &out, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
    }
    if (rc != IDN2_OK) {
      return BadInput("'" + lowered + "' is not a valid international domain name (" +
                      idn2_strerror(rc) + ")");
    }
    std::unique_ptr<char, decltype(&idn2_free)> owned(out, &idn2_free);
    result = Lower(out);
  }

  if (result.size() > kMaxDomain) return BadInput("the domain is longer than 253 characters");
  size_t start = 0;
  while (true) {
    size_t dot = result.find('.', start);
    std::string_view label(result.data() + start,
                           (dot == std::string::npos ? result.size() : dot) - start);
    if (label.empty()) return BadInput("'" + result + "' has an empty label (two dots in a row?)");
    if (label.size() > kMaxLabel) {
      return BadInput("'" + result + "' has a label longer than 63 characters");
    }
    if (!IsLdh(label)) {
      return BadInput("'" + result + "' contains characters not allowed in a host name");
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return result;
}

Result<EmailAddress> EmailAddress::Parse(std::string_view text) {
  if (text.empty()) return BadInput("the address is empty");
  if (text.size() > kMaxLocalPart + 1 + 4 * kMaxDomain) {
    return BadInput("the address is too long");
  }
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos) {
    return BadInput("'" + std::string(text) + "' is not an email address (no @)");
  }
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  // A fully qualified "example.com." names the same domain as "example.com".
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (local.empty()) return BadInput("'" + std::string(text) + "' has nothing before the @");
  if (domain.empty()) return BadInput("'" + std::string(text) + "' has no domain after the @");
  if (local.size() > kMaxLocalPart) {
    return BadInput("the part before the @ is longer than 64 characters");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return BadInput("'" + std::string(local) + "' has a misplaced dot before the @");
  }
  for (unsigned char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return BadInput("'" + std::string(text) +
                      "' contains a character not allowed in an address (spaces, quotes, @, "
                      "brackets or control characters)");
    }
  }
  if (domain.find('.') == std::string_view::npos) {
    return BadInput("'" + std::string(domain) + "' is not a full domain name (no dot)");
  }
  if (domain.front() == '[')
    return BadInput("address literals such as [192.0.2.1] are not supported");

  Result<std::string> ascii = ToAsciiDomain(domain);
  if (!ascii.ok()) return ascii.error();
  if (ascii.value().find('.') == std::string::npos) {
    return BadInput("'" + std::string(domain) + "' is not a full domain name (no dot)");
  }

  EmailAddress address;
  address.local_part_ = std::string(local);
  address.ascii_domain_ = ascii.value();
  address.unicode_domain_ = Lower(domain);
  return address;
}

}  // namespace mailscout
