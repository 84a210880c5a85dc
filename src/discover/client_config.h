// ISPDB / autoconfig "clientConfig" 1.1 documents: parsing and expansion.
//
// ParseClientConfig() is a pure function over a string (no I/O; fuzzable):
// it accepts everything the public ISPDB contains (several <domain>, several
// incoming/outgoing servers and <authentication> values, <documentation>,
// <enable>, <oAuth2>, <webMail>, comments, CRLF, no XML declaration) and
// ignores unknown elements and server types (exchange, ews, jmap, ...).
// mailscout's extension <loginPolicy>password|app-password|oauth2-only
// </loginPolicy> inside <emailProvider> is read into login_policy.
// tinyxml2 never expands external entities; documents over
// kMaxClientConfigBytes and absurd counts are rejected.
//
// ExpandServers() replaces %EMAILADDRESS%, %EMAILLOCALPART% and
// %EMAILDOMAIN% in host names and usernames for one address and returns
// ServerCandidates. Thread-safe (no shared state).
#ifndef MAILSCOUT_DISCOVER_CLIENT_CONFIG_H_
#define MAILSCOUT_DISCOVER_CLIENT_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/email_address.h"
#include "core/model.h"
#include "core/result.h"
#include "core/types.h"

namespace mailscout {

inline constexpr size_t kMaxClientConfigBytes = 512 * 1024;

// One <incomingServer> or <outgoingServer>, placeholders not yet replaced.
struct ServerTemplate {
  Protocol protocol = Protocol::kImap;
  std::string hostname;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::string username;           // may be empty
  std::vector<std::string> auth;  // <authentication> values in order
};

// The <oAuth2> block: the ISPDB's issuer, scope, authURL and tokenURL, and
// mailscout's extensions deviceURL, <scope protocol="imap|pop3|smtp"> and
// deviceFlow (providers/README.md).
struct OAuthFacts {
  std::string issuer;      // as the ISPDB writes it: a host name or a URL
  std::string scope;       // the ISPDB's one scope string (all protocols)
  std::string auth_url;    // authorization endpoint
  std::string token_url;   // token endpoint
  std::string device_url;  // device authorization endpoint (RFC 8628), may be empty
  std::string imap_scope, pop3_scope, smtp_scope;  // per protocol; empty: use scope
  std::string device_flow;                         // "allowed", "refused" or "" (not stated)

  // The scopes for one protocol: its own, else the common one.
  const std::string& ScopeFor(Protocol protocol) const {
    const std::string& own = protocol == Protocol::kImap   ? imap_scope
                             : protocol == Protocol::kPop3 ? pop3_scope
                                                           : smtp_scope;
    return own.empty() ? scope : own;
  }
};

// One <emailProvider>.
struct ProviderConfig {
  std::string id;
  std::vector<std::string> domains;  // lower case, as written
  std::string display_name;
  std::string display_short_name;
  std::vector<ServerTemplate> servers;  // incoming first, then outgoing, file order
  std::string login_policy;       // "password", "app-password", "oauth2-only" or "" (not stated)
  std::string documentation_url;  // first <documentation url="...">
  std::string webmail_url;        // <webMail><loginPage url="..."/>
  bool has_oauth2 = false;        // an <oAuth2> block is present
  OAuthFacts oauth;               // its contents (empty when none)
  std::string app_password_url;   // <appPassword url="..."> (mailscout extension)
  std::string app_password_text;  // its one-line guidance
  // Servers that were skipped and why ("incomingServer type 'exchange' ignored").
  std::vector<std::string> notes;
};

// Errors (ErrorKind::kProtocol, message for a helpdesk): not well-formed
// XML, root is not <clientConfig>, no <emailProvider>, larger than
// kMaxClientConfigBytes. A provider without any usable server is returned
// with empty servers (the caller decides).
Result<std::vector<ProviderConfig>> ParseClientConfig(std::string_view xml);

// The candidates one provider config gives for address, in file order
// (rank = position). Servers whose expanded host name is not a valid host
// name are left out and described in *problems (if not null).
std::vector<ServerCandidate> ExpandServers(const ProviderConfig& config,
                                           const EmailAddress& address, Source source, Trust trust,
                                           const std::string& detail,
                                           std::vector<std::string>* problems = nullptr);

// Replaces the three placeholders in text.
std::string ExpandPlaceholders(std::string_view text, const EmailAddress& address);

// The ProviderInfo for the report. login_policy: as stated; otherwise
// "oauth2-only" when every server lists only OAuth2, else "password".
// The display name's placeholders (the ISPDB's inbox.lv says
// %EMAILDOMAIN%) are expanded for address.
ProviderInfo ToProviderInfo(const ProviderConfig& config, const EmailAddress& address);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_CLIENT_CONFIG_H_
