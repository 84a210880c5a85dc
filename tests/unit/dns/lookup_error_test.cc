// What a failed lookup means, decided from c-ares' status where the answer
// is handled (dns/answer.h), so discovery never reads a message.
#include <ares.h>
#include <gtest/gtest.h>

#include "dns/answer.h"

namespace mailscout {
namespace {

TEST(LookupErrorTest, NxDomainIsANameThatDoesNotExist) {
  const Error e = LookupError(ARES_ENOTFOUND, "nope.example", "address");
  EXPECT_EQ(e.kind, ErrorKind::kDns);
  EXPECT_EQ(e.dns, DnsOutcome::kNxDomain);
  EXPECT_EQ(e.phase, Phase::kResolve);
  EXPECT_EQ(e.message, "The name nope.example does not exist (NXDOMAIN)");
}

TEST(LookupErrorTest, NoDataIsANameWithoutSuchRecords) {
  const Error e = LookupError(ARES_ENODATA, "example.com", "MX");
  EXPECT_EQ(e.kind, ErrorKind::kDns);
  EXPECT_EQ(e.dns, DnsOutcome::kNoRecords);
  EXPECT_EQ(e.message, "The name example.com has no MX records");
}

TEST(LookupErrorTest, FailingOrUnreachableServersAreResolverFailures) {
  for (int status : {ARES_ESERVFAIL, ARES_EREFUSED, ARES_ECONNREFUSED, ARES_EBADRESP, ARES_EFORMERR,
                     ARES_ENOTIMP, ARES_EDESTRUCTION, ARES_ECANCELLED}) {
    const Error e = LookupError(status, "example.com", "SRV");
    EXPECT_EQ(e.kind, ErrorKind::kDns) << ares_strerror(status);
    EXPECT_EQ(e.dns, DnsOutcome::kResolverFailure) << ares_strerror(status);
    EXPECT_EQ(e.phase, Phase::kResolve);
  }
  EXPECT_EQ(LookupError(ARES_ESERVFAIL, "example.com", "SRV").message,
            "The DNS server failed to answer for example.com (SERVFAIL)");
}

TEST(LookupErrorTest, ATimeoutIsNotADnsAnswer) {
  const Error e = LookupError(ARES_ETIMEOUT, "slow.example", "address");
  EXPECT_EQ(e.kind, ErrorKind::kTimeout);
  EXPECT_EQ(e.dns, std::nullopt);
  EXPECT_EQ(e.phase, Phase::kResolve);
}

TEST(LookupErrorTest, AnInvalidNameHasNoOutcome) {
  const Error e = LookupError(ARES_EBADNAME, "bad..name", "address");
  EXPECT_EQ(e.kind, ErrorKind::kDns);
  EXPECT_EQ(e.dns, std::nullopt);
}

TEST(LookupErrorTest, OutcomeOfEachStatus) {
  EXPECT_EQ(DnsOutcomeOf(ARES_SUCCESS), std::nullopt);
  EXPECT_EQ(DnsOutcomeOf(ARES_ENOTFOUND), DnsOutcome::kNxDomain);
  EXPECT_EQ(DnsOutcomeOf(ARES_ENODATA), DnsOutcome::kNoRecords);
  EXPECT_EQ(DnsOutcomeOf(ARES_ESERVFAIL), DnsOutcome::kResolverFailure);
  EXPECT_EQ(DnsOutcomeOf(ARES_ETIMEOUT), std::nullopt);
}

}  // namespace
}  // namespace mailscout
