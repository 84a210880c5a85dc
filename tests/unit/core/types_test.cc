#include "core/types.h"

#include <gtest/gtest.h>

namespace mailscout {
namespace {

TEST(TypesTest, NamesRoundTrip) {
  for (auto p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    EXPECT_EQ(ParseProtocol(ToString(p)), p);
  }
  for (auto s : {Security::kTls, Security::kStartTls, Security::kPlain}) {
    EXPECT_EQ(ParseSecurity(ToString(s)), s);
  }
  for (auto k : {ErrorKind::kDns, ErrorKind::kRefused, ErrorKind::kTimeout, ErrorKind::kTls,
                 ErrorKind::kCertificate, ErrorKind::kStartTlsMissing, ErrorKind::kAuth,
                 ErrorKind::kAuthMechanism, ErrorKind::kCleartextRefused, ErrorKind::kProtocol,
                 ErrorKind::kUsage, ErrorKind::kNotTried}) {
    EXPECT_EQ(ParseErrorKind(ToString(k)), k);
  }
  for (auto o : {DnsOutcome::kNxDomain, DnsOutcome::kNoRecords, DnsOutcome::kResolverFailure}) {
    EXPECT_EQ(ParseDnsOutcome(ToString(o)), o);
  }
  for (auto s : {Source::kProviders, Source::kIspdb, Source::kAutoconfig, Source::kWellKnown,
                 Source::kMx, Source::kSrv, Source::kAutodiscover, Source::kGuess}) {
    EXPECT_EQ(ParseSource(ToString(s)), s);
  }
  EXPECT_EQ(ParseProtocol("IMAP"), std::nullopt);
  EXPECT_EQ(ParseSecurity("ssl"), std::nullopt);
}

TEST(TypesTest, StableNamesUsedInJson) {
  EXPECT_EQ(ToString(ErrorKind::kStartTlsMissing), "starttls-missing");
  EXPECT_EQ(ToString(ErrorKind::kCleartextRefused), "cleartext-refused");
  EXPECT_EQ(ToString(ErrorKind::kAuthMechanism), "auth-mechanism");
  EXPECT_EQ(ToString(Source::kWellKnown), "well-known");
  EXPECT_EQ(ToString(Security::kStartTls), "starttls");
  EXPECT_EQ(ToString(ErrorKind::kUsage), "usage");
  EXPECT_EQ(ToString(ErrorKind::kNotTried), "not-tried");
  EXPECT_EQ(ToString(DnsOutcome::kNxDomain), "nxdomain");
  EXPECT_EQ(ToString(DnsOutcome::kNoRecords), "no-records");
  EXPECT_EQ(ToString(DnsOutcome::kResolverFailure), "resolver-failure");
  EXPECT_EQ(ParseDnsOutcome("NXDOMAIN"), std::nullopt);
}

TEST(TypesTest, DefaultPorts) {
  EXPECT_EQ(DefaultPort(Protocol::kImap, Security::kTls), 993);
  EXPECT_EQ(DefaultPort(Protocol::kImap, Security::kStartTls), 143);
  EXPECT_EQ(DefaultPort(Protocol::kPop3, Security::kTls), 995);
  EXPECT_EQ(DefaultPort(Protocol::kPop3, Security::kPlain), 110);
  EXPECT_EQ(DefaultPort(Protocol::kSmtp, Security::kTls), 465);
  EXPECT_EQ(DefaultPort(Protocol::kSmtp, Security::kStartTls), 587);
}

TEST(TypesTest, ClientWords) {
  EXPECT_EQ(ClientWords(Security::kTls), "SSL/TLS");
  EXPECT_EQ(ClientWords(Security::kStartTls), "STARTTLS");
}

}  // namespace
}  // namespace mailscout
