// Basic vocabulary of mailscout: protocols, security types, error kinds, DNS
// outcomes, discovery sources and trust levels, with their stable string
// names.
//
// The string names are part of the JSON schema (docs/json.md) and the CLI;
// never change one without updating both. Pure values, no I/O, thread-safe.
#ifndef MAILSCOUT_CORE_TYPES_H_
#define MAILSCOUT_CORE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace mailscout {

enum class Protocol { kImap, kPop3, kSmtp };

// kTls is implicit TLS (RFC 8314), kStartTls upgrades a plain connection,
// kPlain never encrypts.
enum class Security { kTls, kStartTls, kPlain };

// The fixed set of failure kinds a check can report (see docs/json.md).
enum class ErrorKind {
  kDns,               // the name did not resolve
  kRefused,           // TCP connection refused or network unreachable
  kTimeout,           // a phase ran past its deadline; Error::phase names it
  kTls,               // the TLS handshake failed
  kCertificate,       // untrusted, expired or wrong-name certificate
  kStartTlsMissing,   // STARTTLS/STLS not offered or refused
  kAuth,              // credentials rejected
  kAuthMechanism,     // no SASL mechanism both sides support
  kCleartextRefused,  // mailscout refused to send a password without TLS
  kProtocol,          // the server broke the protocol
  kUsage,             // a bad option or argument; never in a check (exit status 2)
  kNotTried,          // the server/port was never tried (login policy, or a better
                      // setting was already verified)
};

// What a DNS failure means, decided in dns/ from the resolver's status so no
// caller has to read the message. Set in Error::dns (kDns errors only; a DNS
// timeout is ErrorKind::kTimeout without one).
enum class DnsOutcome {
  kNxDomain,         // "nxdomain": the name does not exist
  kNoRecords,        // "no-records": the name exists but has no record of the asked
                     // type (for a host: no address at all)
  kResolverFailure,  // "resolver-failure": the DNS server failed, refused, was
                     // unreachable or sent a malformed answer
};

// Where a server candidate came from.
enum class Source {
  kProviders,     // bundled database or --providers
  kIspdb,         // Thunderbird ISPDB online
  kAutoconfig,    // https://autoconfig.<domain>/mail/config-v1.1.xml (or http)
  kWellKnown,     // https://<domain>/.well-known/autoconfig/...
  kMx,            // derived from the MX host
  kSrv,           // DNS SRV (RFC 6186 / 8314)
  kAutodiscover,  // Outlook Autodiscover POX
  kGuess,         // guessed host name confirmed by a probe
};

// How far a candidate can be trusted.
//  kAuthenticated: every hop was authenticated (bundled data, https).
//  kUnauthenticated: at least one hop was plain DNS or http.
//  kGuessed: a guessed name that answered a probe.
enum class Trust { kAuthenticated, kUnauthenticated, kGuessed };

std::string_view ToString(Protocol p);
std::string_view ToString(Security s);
std::string_view ToString(ErrorKind k);
std::string_view ToString(DnsOutcome o);
std::string_view ToString(Source s);
std::string_view ToString(Trust t);

// Parse the stable names above; nullopt for anything else.
std::optional<Protocol> ParseProtocol(std::string_view s);
std::optional<Security> ParseSecurity(std::string_view s);
std::optional<ErrorKind> ParseErrorKind(std::string_view s);
std::optional<DnsOutcome> ParseDnsOutcome(std::string_view s);
std::optional<Source> ParseSource(std::string_view s);
std::optional<Trust> ParseTrust(std::string_view s);

// Words a mail client shows for a security type: "SSL/TLS", "STARTTLS", "None".
std::string_view ClientWords(Security s);

// Protocol name as users write it: "IMAP", "POP3", "SMTP".
std::string_view DisplayName(Protocol p);

// Standard port for a protocol and security type:
// IMAP 993/143/143, POP3 995/110/110, SMTP submission 465/587/587.
uint16_t DefaultPort(Protocol p, Security s);

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_TYPES_H_
