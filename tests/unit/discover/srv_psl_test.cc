#include <gtest/gtest.h>

#include <map>

#include "discover/psl.h"
#include "discover/srv.h"
#include "test_util.h"

namespace mailscout {
namespace {

TEST(Srv, OrdersByPriorityFirst) {
  std::mt19937 random(1);
  std::vector<SrvRecord> records = {{20, 0, 993, "c.example"},
                                    {10, 5, 993, "a.example"},
                                    {30, 100, 993, "d.example"},
                                    {10, 5, 993, "b.example"}};
  for (int i = 0; i < 50; ++i) {
    auto ordered = OrderSrv(records, random);
    ASSERT_EQ(ordered.size(), 4u);
    EXPECT_EQ(ordered[0].priority, 10);
    EXPECT_EQ(ordered[1].priority, 10);
    EXPECT_EQ(ordered[2].target, "c.example");
    EXPECT_EQ(ordered[3].target, "d.example");
  }
}

TEST(Srv, WeightsAreProportional) {
  std::mt19937 random(42);
  std::vector<SrvRecord> records = {{0, 90, 993, "heavy.example"}, {0, 10, 993, "light.example"}};
  int heavy_first = 0;
  for (int i = 0; i < 2000; ++i) {
    if (OrderSrv(records, random)[0].target == "heavy.example") ++heavy_first;
  }
  EXPECT_GT(heavy_first, 1650);
  EXPECT_LT(heavy_first, 1950);
}

TEST(Srv, ZeroWeightRarelyFirstWhenOthersHaveWeight) {
  std::mt19937 random(7);
  std::vector<SrvRecord> records = {{0, 0, 993, "zero.example"}, {0, 50, 993, "fifty.example"}};
  int zero_first = 0;
  for (int i = 0; i < 2000; ++i) {
    if (OrderSrv(records, random)[0].target == "zero.example") ++zero_first;
  }
  EXPECT_LT(zero_first, 200);
}

TEST(Srv, DotMeansNotOffered) {
  EXPECT_TRUE(IsNotOffered({{0, 0, 0, "."}}));
  EXPECT_FALSE(IsNotOffered({{0, 0, 993, "imap.example"}}));
  EXPECT_FALSE(IsNotOffered({}));
  std::mt19937 random(1);
  EXPECT_TRUE(OrderSrv({{0, 0, 0, "."}}, random).empty());
}

TEST(Srv, ServiceTable) {
  EXPECT_STREQ(kSrvServices[0].label, "_submissions._tcp");
  EXPECT_EQ(kSrvServices[0].security, Security::kTls);
  EXPECT_EQ(kSrvServices[3].protocol, Protocol::kImap);
  EXPECT_EQ(kSrvServices[3].security, Security::kStartTls);
}

TEST(Psl, RegistrableDomain) {
  EXPECT_EQ(RegistrableDomain("mx2.mail.bigprovider.example"), "bigprovider.example");
  EXPECT_EQ(RegistrableDomain("aspmx.l.google.com"), "google.com");
  EXPECT_EQ(RegistrableDomain("eur.olc.protection.outlook.com"), "outlook.com");
  EXPECT_EQ(RegistrableDomain("foo.co.uk"), "foo.co.uk");
  EXPECT_EQ(RegistrableDomain("mail.foo.co.uk."), "foo.co.uk");
  EXPECT_EQ(RegistrableDomain("IMAP.Example.COM"), "example.com");
  EXPECT_EQ(RegistrableDomain("co.uk"), "");
  EXPECT_EQ(RegistrableDomain(""), "");
  EXPECT_EQ(RegistrableDomain("imap.xn--bcher-kva.example"), "xn--bcher-kva.example");
}

TEST(Psl, ParentAndWithin) {
  EXPECT_EQ(ParentDomain("aspmx.l.google.com"), "l.google.com");
  EXPECT_EQ(ParentDomain("localhost"), "");
  EXPECT_TRUE(IsWithin("imap.example.com", "example.com"));
  EXPECT_TRUE(IsWithin("example.com", "example.com"));
  EXPECT_FALSE(IsWithin("badexample.com", "example.com"));
  EXPECT_FALSE(IsWithin("example.com.evil.example", "example.com"));
}

TEST(Idn, AddressDomainIsConvertedBeforeLookups) {
  EmailAddress a = Address("anna@Bücher.example");
  EXPECT_EQ(a.ascii_domain(), "xn--bcher-kva.example");
  EXPECT_EQ(a.display(), "anna@bücher.example");
}

}  // namespace
}  // namespace mailscout
