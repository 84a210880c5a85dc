#include "core/types.h"

#include <array>
#include <utility>

namespace mailscout {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view s) {
  for (const auto& [value, name] : table) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "?";
}

constexpr std::array<std::pair<Protocol, std::string_view>, 3> kProtocols = {{
    {Protocol::kImap, "imap"},
    {Protocol::kPop3, "pop3"},
    {Protocol::kSmtp, "smtp"},
}};

constexpr std::array<std::pair<Security, std::string_view>, 3> kSecurities = {{
    {Security::kTls, "tls"},
    {Security::kStartTls, "starttls"},
    {Security::kPlain, "plain"},
}};

constexpr std::array<std::pair<ErrorKind, std::string_view>, 12> kErrorKinds = {{
    {ErrorKind::kDns, "dns"},
    {ErrorKind::kRefused, "refused"},
    {ErrorKind::kTimeout, "timeout"},
    {ErrorKind::kTls, "tls"},
    {ErrorKind::kCertificate, "certificate"},
    {ErrorKind::kStartTlsMissing, "starttls-missing"},
    {ErrorKind::kAuth, "auth"},
    {ErrorKind::kAuthMechanism, "auth-mechanism"},
    {ErrorKind::kCleartextRefused, "cleartext-refused"},
    {ErrorKind::kProtocol, "protocol"},
    {ErrorKind::kUsage, "usage"},
    {ErrorKind::kNotTried, "not-tried"},
}};

constexpr std::array<std::pair<DnsOutcome, std::string_view>, 3> kDnsOutcomes = {{
    {DnsOutcome::kNxDomain, "nxdomain"},
    {DnsOutcome::kNoRecords, "no-records"},
    {DnsOutcome::kResolverFailure, "resolver-failure"},
}};

constexpr std::array<std::pair<Source, std::string_view>, 8> kSources = {{
    {Source::kProviders, "providers"},
    {Source::kIspdb, "ispdb"},
    {Source::kAutoconfig, "autoconfig"},
    {Source::kWellKnown, "well-known"},
    {Source::kMx, "mx"},
    {Source::kSrv, "srv"},
    {Source::kAutodiscover, "autodiscover"},
    {Source::kGuess, "guess"},
}};

constexpr std::array<std::pair<Trust, std::string_view>, 3> kTrusts = {{
    {Trust::kAuthenticated, "authenticated"},
    {Trust::kUnauthenticated, "unauthenticated"},
    {Trust::kGuessed, "guessed"},
}};

}  // namespace

std::string_view ToString(Protocol p) { return Name(kProtocols, p); }
std::string_view ToString(Security s) { return Name(kSecurities, s); }
std::string_view ToString(ErrorKind k) { return Name(kErrorKinds, k); }
std::string_view ToString(DnsOutcome o) { return Name(kDnsOutcomes, o); }
std::string_view ToString(Source s) { return Name(kSources, s); }
std::string_view ToString(Trust t) { return Name(kTrusts, t); }

std::optional<Protocol> ParseProtocol(std::string_view s) { return Lookup(kProtocols, s); }
std::optional<Security> ParseSecurity(std::string_view s) { return Lookup(kSecurities, s); }
std::optional<ErrorKind> ParseErrorKind(std::string_view s) { return Lookup(kErrorKinds, s); }
std::optional<DnsOutcome> ParseDnsOutcome(std::string_view s) { return Lookup(kDnsOutcomes, s); }
std::optional<Source> ParseSource(std::string_view s) { return Lookup(kSources, s); }
std::optional<Trust> ParseTrust(std::string_view s) { return Lookup(kTrusts, s); }

std::string_view ClientWords(Security s) {
  switch (s) {
    case Security::kTls:
      return "SSL/TLS";
    case Security::kStartTls:
      return "STARTTLS";
    case Security::kPlain:
      return "None";
  }
  return "?";
}

std::string_view DisplayName(Protocol p) {
  switch (p) {
    case Protocol::kImap:
      return "IMAP";
    case Protocol::kPop3:
      return "POP3";
    case Protocol::kSmtp:
      return "SMTP";
  }
  return "?";
}

uint16_t DefaultPort(Protocol p, Security s) {
  const bool tls = s == Security::kTls;
  switch (p) {
    case Protocol::kImap:
      return tls ? 993 : 143;
    case Protocol::kPop3:
      return tls ? 995 : 110;
    case Protocol::kSmtp:
      return tls ? 465 : 587;
  }
  return 0;
}

}  // namespace mailscout
