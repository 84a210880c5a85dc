// Which TLS versions a mail server accepts (`mailscout audit`): one short
// connection per version (1.0, 1.1, 1.2, 1.3), each offering only that
// version at OpenSSL security level 0 so that legacy versions can be seen at
// all; for STARTTLS endpoints the protocol's own upgrade (IMAP STARTTLS,
// POP3 STLS, SMTP EHLO + STARTTLS) comes first. The handshake is only
// attempted, never used: no certificate checks, no data.
#ifndef MAILSCOUT_AUDIT_TLS_VERSIONS_H_
#define MAILSCOUT_AUDIT_TLS_VERSIONS_H_

#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/types.h"
#include "dns/resolver.h"

namespace mailscout {

// "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" (OpenSSL's names), in that order.
const std::vector<std::string>& TlsVersionNames();

// The versions that completed a handshake. `address` is the IP address to
// dial (already resolved); each attempt gets `per_attempt_ms`.
std::vector<std::string> AcceptedTlsVersions(const std::string& address, uint16_t port,
                                             Protocol protocol, Security security,
                                             int64_t per_attempt_ms);

}  // namespace mailscout

#endif  // MAILSCOUT_AUDIT_TLS_VERSIONS_H_
