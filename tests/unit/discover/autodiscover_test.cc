#include "discover/autodiscover.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace mailscout {
namespace {

AutodiscoverResponse Parse(const std::string& file) {
  auto parsed = ParseAutodiscover(ReadCorpus("autodiscover/" + file));
  EXPECT_TRUE(parsed.ok()) << file << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed.value() : AutodiscoverResponse{};
}

TEST(Autodiscover, Settings) {
  AutodiscoverResponse r = Parse("settings.xml");
  EXPECT_EQ(r.action, AutodiscoverResponse::Action::kSettings);
  EXPECT_EQ(r.display_name, "Alice Example");
  ASSERT_EQ(r.servers.size(), 3u);
  EXPECT_EQ(r.servers[0].protocol, Protocol::kImap);
  EXPECT_EQ(r.servers[0].host, "imap.example.com");
  EXPECT_EQ(r.servers[0].port, 993);
  EXPECT_EQ(r.servers[0].security, Security::kTls);
  EXPECT_EQ(r.servers[0].login_name, "alice@example.com");
  EXPECT_EQ(r.servers[1].protocol, Protocol::kPop3);
  EXPECT_EQ(r.servers[1].security, Security::kPlain);  // SSL off
  EXPECT_EQ(r.servers[1].login_name, "");
  EXPECT_EQ(r.servers[2].protocol, Protocol::kSmtp);
  EXPECT_EQ(r.servers[2].security, Security::kStartTls);  // Encryption TLS
  EXPECT_EQ(r.servers[2].login_name, "alice");
  ASSERT_EQ(r.notes.size(), 1u);  // EXCH ignored
}

TEST(Autodiscover, EncryptionOverridesSsl) {
  AutodiscoverResponse r = Parse("encryption.xml");
  ASSERT_EQ(r.servers.size(), 7u);
  EXPECT_EQ(r.servers[0].security, Security::kTls);       // SSL off, Encryption SSL
  EXPECT_EQ(r.servers[1].security, Security::kPlain);     // SSL on, Encryption None
  EXPECT_EQ(r.servers[2].security, Security::kStartTls);  // Auto on 143
  EXPECT_EQ(r.servers[3].security, Security::kTls);       // Auto on 993
  EXPECT_EQ(r.servers[4].security, Security::kTls);       // SSL on 465
  EXPECT_EQ(r.servers[5].security, Security::kStartTls);  // SSL absent on 587
  EXPECT_EQ(r.servers[6].security, Security::kTls);       // POP3 SSL on, no port
  EXPECT_EQ(r.servers[6].port, 995);
  EXPECT_EQ(r.notes.size(), 2u);  // bad port, no server
}

TEST(Autodiscover, Redirects) {
  AutodiscoverResponse addr = Parse("redirect-addr.xml");
  EXPECT_EQ(addr.action, AutodiscoverResponse::Action::kRedirectAddr);
  EXPECT_EQ(addr.redirect_addr, "alice@tenant.example.net");
  AutodiscoverResponse url = Parse("redirect-url.xml");
  EXPECT_EQ(url.action, AutodiscoverResponse::Action::kRedirectUrl);
  EXPECT_EQ(url.redirect_url, "https://mail.example.net/autodiscover/autodiscover.xml");
}

TEST(Autodiscover, Error) {
  AutodiscoverResponse r = Parse("error.xml");
  EXPECT_EQ(r.action, AutodiscoverResponse::Action::kError);
  EXPECT_EQ(r.error_message, "Invalid Request");
}

TEST(Autodiscover, NamespacePrefixesAndCase) {
  AutodiscoverResponse r = Parse("prefixed.xml");
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].host, "imap.prefixed.example");
}

TEST(Autodiscover, Rejections) {
  EXPECT_FALSE(ParseAutodiscover(ReadCorpus("autodiscover/redirect-empty.xml")).ok());
  EXPECT_FALSE(ParseAutodiscover(ReadCorpus("autodiscover/not-autodiscover.xml")).ok());
  EXPECT_FALSE(ParseAutodiscover("").ok());
  EXPECT_FALSE(ParseAutodiscover("<Autodiscover>").ok());
  EXPECT_FALSE(ParseAutodiscover("<Autodiscover/>").ok());
  EXPECT_FALSE(ParseAutodiscover(std::string(kMaxAutodiscoverBytes + 1, ' ')).ok());
}

TEST(Autodiscover, RequestEscapesTheAddress) {
  std::string body = BuildAutodiscoverRequest("a&b<c>@example.com");
  EXPECT_NE(body.find("<EMailAddress>a&amp;b&lt;c&gt;@example.com</EMailAddress>"),
            std::string::npos);
  EXPECT_NE(body.find("responseschema/2006a"), std::string::npos);
}

}  // namespace
}  // namespace mailscout
