// The lead's adapters against real servers in the fake Internet (scenario
// "basic"): c-ares against dnsmasq, ConnectTcp + TlsClient against Dovecot
// with the world's CA trusted through the system bundle (no --ca-file).
#include <gtest/gtest.h>

#include <Poco/Net/SecureStreamSocket.h>

#include "dns/cares_resolver.h"
#include "net/connect.h"
#include "net/tls.h"

namespace mailscout {
namespace {

std::unique_ptr<CaresResolver> MakeResolver(std::vector<std::string> servers = {}) {
  ResolverOptions options;
  options.servers = std::move(servers);
  auto resolver = CaresResolver::Create(options);
  EXPECT_TRUE(resolver.ok()) << resolver.error().message;
  return std::move(resolver.value());
}

TEST(WorldDnsTest, ResolvesHostThroughDnsmasq) {
  auto resolver = MakeResolver();
  auto addresses = resolver->ResolveHost("mail.basic.example", Deadline::AfterMs(3000));
  ASSERT_TRUE(addresses.ok()) << addresses.error().message;
  ASSERT_FALSE(addresses->empty());
  EXPECT_EQ(addresses->front().rfind("127.", 0), 0u) << addresses->front();
}

TEST(WorldDnsTest, FindsMx) {
  auto resolver = MakeResolver();
  auto mx = resolver->LookupMx("basic.example", Deadline::AfterMs(3000));
  ASSERT_TRUE(mx.ok()) << mx.error().message;
  ASSERT_EQ(mx->size(), 1u);
  EXPECT_EQ(mx->front().host, "mail.basic.example");
  EXPECT_EQ(mx->front().preference, 10);
}

TEST(WorldDnsTest, UnknownNameIsNxdomain) {
  auto resolver = MakeResolver();
  auto addresses = resolver->ResolveHost("nothing-here.basic.example", Deadline::AfterMs(3000));
  ASSERT_FALSE(addresses.ok());
  EXPECT_EQ(addresses.error().kind, ErrorKind::kDns);
  EXPECT_EQ(addresses.error().dns, DnsOutcome::kNxDomain);
  EXPECT_NE(addresses.error().message.find("does not exist"), std::string::npos);
}

TEST(WorldDnsTest, MissingSrvIsEmptyOrNxdomain) {
  auto resolver = MakeResolver();
  auto srv = resolver->LookupSrv("_imaps._tcp.basic.example", Deadline::AfterMs(3000));
  if (srv.ok()) {
    EXPECT_TRUE(srv->empty());
  } else {
    EXPECT_EQ(srv.error().kind, ErrorKind::kDns);
  }
}

TEST(WorldDnsTest, ExplicitDnsServerIsUsed) {
  auto resolver = MakeResolver({"127.0.0.1:53"});
  EXPECT_TRUE(resolver->ResolveHost("mail.basic.example", Deadline::AfterMs(3000)).ok());
}

TEST(WorldDnsTest, SilentDnsServerTimesOutByDeadline) {
  // Nothing answers on this address: the lookup must end at the deadline.
  auto resolver = MakeResolver({"127.0.0.1:5399"});
  const auto start = Clock::now();
  auto addresses = resolver->ResolveHost("mail.basic.example", Deadline::AfterMs(700));
  ASSERT_FALSE(addresses.ok());
  EXPECT_LT(MsSince(start), 1500);
}

TEST(WorldDnsTest, RejectsNonAddressDnsServer) {
  ResolverOptions options;
  options.servers = {"dns.example"};
  EXPECT_FALSE(CaresResolver::Create(options).ok());
}

TEST(WorldNetTest, ConnectsAndGreetsOverVerifiedTls) {
  auto resolver = MakeResolver();
  auto tcp = ConnectTcp(*resolver, "mail.basic.example", 993, Deadline::AfterMs(3000),
                        Deadline::AfterMs(3000));
  ASSERT_TRUE(tcp.ok()) << tcp.error().message;
  TlsClient tls(TlsOptions{});
  TlsInfo info;
  auto secure = tls.Handshake(tcp->socket, "mail.basic.example", Deadline::AfterMs(3000), &info);
  ASSERT_TRUE(secure.ok()) << secure.error().message;
  EXPECT_TRUE(info.chain_ok) << info.chain_error;
  EXPECT_TRUE(info.name_ok);
  char buf[256] = {0};
  secure->setReceiveTimeout(Poco::Timespan(3, 0));
  int n = secure->receiveBytes(buf, sizeof buf - 1);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, 4), "* OK") << buf;
}

}  // namespace
}  // namespace mailscout
