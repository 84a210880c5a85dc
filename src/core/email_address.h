// EmailAddress: a parsed, validated mail address with its domain in ASCII.
//
// Parse() accepts a dot-atom local part (RFC 5322, with UTF-8 allowed as in
// RFC 6531) and a domain name; a Unicode domain ("bücher.example") is
// converted to its A-label form ("xn--bcher-kva.example") with libidn2, so
// every DNS lookup and URL uses ascii_domain(). Immutable value, thread-safe.
#ifndef MAILSCOUT_CORE_EMAIL_ADDRESS_H_
#define MAILSCOUT_CORE_EMAIL_ADDRESS_H_

#include <string>
#include <string_view>

#include "core/result.h"

namespace mailscout {

class EmailAddress {
 public:
  // Returns the address, or an Error of kind kUsage (bad input) whose
  // message says what is wrong, e.g. "'alice@' has no domain after the @".
  static Result<EmailAddress> Parse(std::string_view text);

  const std::string& local_part() const { return local_part_; }
  // Lower-case A-label (punycode) form, used for DNS, URLs and matching.
  const std::string& ascii_domain() const { return ascii_domain_; }
  // The domain as the user typed it (lower-cased), Unicode if it was.
  const std::string& unicode_domain() const { return unicode_domain_; }
  // local_part@ascii_domain: the form used for logins and placeholders.
  std::string ascii() const { return local_part_ + "@" + ascii_domain_; }
  // local_part@unicode_domain: the form shown to people.
  std::string display() const { return local_part_ + "@" + unicode_domain_; }
  bool is_idn() const { return ascii_domain_ != unicode_domain_; }

 private:
  EmailAddress() = default;

  std::string local_part_;
  std::string ascii_domain_;
  std::string unicode_domain_;
};

// Converts a host or domain name to lower-case A-label form with libidn2.
// Returns an Error with a helpdesk-readable message when the name is not a
// valid host name (empty label, label over 63 bytes, name over 253 bytes,
// characters not allowed by IDNA2008).
Result<std::string> ToAsciiDomain(std::string_view name);

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_EMAIL_ADDRESS_H_
