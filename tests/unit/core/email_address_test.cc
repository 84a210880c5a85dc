#include "core/email_address.h"

#include <gtest/gtest.h>

namespace mailscout {
namespace {

TEST(EmailAddressTest, ParsesPlainAddress) {
  auto address = EmailAddress::Parse("alice@Example.COM");
  ASSERT_TRUE(address.ok()) << address.error().message;
  EXPECT_EQ(address->local_part(), "alice");
  EXPECT_EQ(address->ascii_domain(), "example.com");
  EXPECT_EQ(address->ascii(), "alice@example.com");
  EXPECT_FALSE(address->is_idn());
}

TEST(EmailAddressTest, KeepsLocalPartCase) {
  auto address = EmailAddress::Parse("Alice.Smith+tag@example.com");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->local_part(), "Alice.Smith+tag");
}

TEST(EmailAddressTest, ConvertsUnicodeDomainWithIdn2) {
  auto address = EmailAddress::Parse("anna@bücher.example");
  ASSERT_TRUE(address.ok()) << address.error().message;
  EXPECT_EQ(address->ascii_domain(), "xn--bcher-kva.example");
  EXPECT_EQ(address->unicode_domain(), "bücher.example");
  EXPECT_EQ(address->display(), "anna@bücher.example");
  EXPECT_TRUE(address->is_idn());
}

TEST(EmailAddressTest, AcceptsUtf8LocalPart) {
  auto address = EmailAddress::Parse("jürgen@example.de");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->local_part(), "jürgen");
}

TEST(EmailAddressTest, StripsTrailingDotOfDomain) {
  auto address = EmailAddress::Parse("bob@example.com.");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->ascii_domain(), "example.com");
}

// Found by fuzzing: "bob@examplcobom." passed the "has a dot" check because
// of its trailing dot, then failed to parse again in ASCII form.
TEST(EmailAddressTest, RegressionTrailingDotIsNotTheDomainsOnlyDot) {
  EXPECT_FALSE(EmailAddress::Parse("bob@examplcobom.").ok());
  EXPECT_FALSE(EmailAddress::Parse("bob@.").ok());
  EXPECT_FALSE(EmailAddress::Parse("jod@bxampmplee..").ok());
}

TEST(EmailAddressTest, RejectsMalformedAddresses) {
  for (const char* bad :
       {"", "alice", "alice@", "@example.com", "alice@example", "al ice@example.com",
        "alice@exa mple.com", "alice@@example.com", ".alice@example.com", "al..ice@example.com",
        "alice.@example.com", "alice@example..com", "alice@-example.com", "alice@[192.0.2.1]",
        "alice@exa_mple..com", "\"alice\"@example.com", "alice@example.com\n"}) {
    auto address = EmailAddress::Parse(bad);
    EXPECT_FALSE(address.ok()) << "accepted: " << bad;
    if (!address.ok()) {
      EXPECT_FALSE(address.error().message.empty());
    }
  }
}

TEST(EmailAddressTest, RejectsOverlongParts) {
  EXPECT_FALSE(EmailAddress::Parse(std::string(65, 'a') + "@example.com").ok());
  EXPECT_TRUE(EmailAddress::Parse(std::string(64, 'a') + "@example.com").ok());
  EXPECT_FALSE(EmailAddress::Parse("a@" + std::string(64, 'b') + ".com").ok());
  std::string long_domain;
  for (int i = 0; i < 60; ++i) long_domain += "abcd.";
  EXPECT_FALSE(EmailAddress::Parse("a@" + long_domain + "com").ok());
  EXPECT_FALSE(EmailAddress::Parse(std::string(100000, 'x')).ok());
}

TEST(EmailAddressTest, RejectsInvalidInternationalName) {
  // U+2615 HOT BEVERAGE is not allowed by IDNA2008 in either mode... but
  // transitional may map; a lone combining mark must fail in both.
  EXPECT_FALSE(EmailAddress::Parse("a@\xCC\x81x.example").ok());
  EXPECT_FALSE(EmailAddress::Parse("a@\xff\xfe.example").ok());
}

TEST(ToAsciiDomainTest, LowercasesAndChecksLabels) {
  auto name = ToAsciiDomain("IMAP.Example.COM");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name.value(), "imap.example.com");
  EXPECT_FALSE(ToAsciiDomain("").ok());
  EXPECT_FALSE(ToAsciiDomain("a..b").ok());
  EXPECT_TRUE(ToAsciiDomain("_imaps._tcp.example.com").ok());
}

}  // namespace
}  // namespace mailscout
