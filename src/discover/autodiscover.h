// Outlook Autodiscover "POX" (plain old XML, 2006 schema): the request body
// and a parser for the response.
//
// ParseAutodiscover() is a pure function over a string (no I/O; fuzzable).
// It reads Autodiscover/Response/Account: Action (settings, redirectAddr,
// redirectUrl), RedirectAddr, RedirectUrl and every Protocol of Type IMAP,
// POP3 or SMTP (Server, Port, LoginName, SSL, Encryption). Other protocol
// types (EXCH, EXPR, WEB, ...) are ignored. Namespace prefixes on element
// names are ignored. Documents over kMaxAutodiscoverBytes are rejected.
//
// Security of a Protocol:
//   <Encryption> wins over <SSL>: None -> plain, SSL -> tls (implicit),
//   TLS -> starttls, Auto -> by port (993/995/465 tls, else starttls).
//   Else <SSL>off</SSL> -> plain; SSL on or absent -> tls, except on the
//   STARTTLS ports 143, 110, 587 and 25, where on means starttls.
// Thread-safe (no shared state).
#ifndef MAILSCOUT_DISCOVER_AUTODISCOVER_H_
#define MAILSCOUT_DISCOVER_AUTODISCOVER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace mailscout {

inline constexpr size_t kMaxAutodiscoverBytes = 512 * 1024;

struct AutodiscoverServer {
  Protocol protocol = Protocol::kImap;
  std::string host;  // as sent (lower-cased); the caller validates it
  uint16_t port = 0;
  Security security = Security::kTls;
  std::string login_name;  // empty when not sent
};

struct AutodiscoverResponse {
  enum class Action { kSettings, kRedirectAddr, kRedirectUrl, kError };
  Action action = Action::kSettings;
  std::vector<AutodiscoverServer> servers;  // document order
  std::string redirect_addr;
  std::string redirect_url;
  std::string display_name;        // Response/User/DisplayName, if any
  std::string error_message;       // Response/Error/Message (kError)
  std::vector<std::string> notes;  // ignored protocols and why
};

// Errors (ErrorKind::kProtocol): not well-formed XML, root not
// <Autodiscover>, no <Response>, too large, a redirect action without its
// target.
Result<AutodiscoverResponse> ParseAutodiscover(std::string_view xml);

// The POST body asking for the Outlook settings of email.
std::string BuildAutodiscoverRequest(const std::string& email);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_AUTODISCOVER_H_
