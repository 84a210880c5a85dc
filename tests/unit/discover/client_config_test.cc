#include "discover/client_config.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace mailscout {
namespace {

ProviderConfig ParseOne(const std::string& file) {
  Result<std::vector<ProviderConfig>> parsed =
      ParseClientConfig(ReadCorpus("clientconfig/" + file));
  EXPECT_TRUE(parsed.ok()) << file << ": " << (parsed.ok() ? "" : parsed.error().message);
  if (!parsed.ok() || parsed->empty()) return {};
  return parsed->front();
}

TEST(ClientConfig, FullIspdbFile) {
  ProviderConfig c = ParseOne("full.xml");
  EXPECT_EQ(c.id, "googlemail.com");
  EXPECT_EQ(c.domains, (std::vector<std::string>{"gmail.com", "googlemail.com", "google.com"}));
  EXPECT_EQ(c.display_name, "Google Mail");
  EXPECT_EQ(c.display_short_name, "GMail");
  ASSERT_EQ(c.servers.size(), 4u);
  EXPECT_EQ(c.servers[0].protocol, Protocol::kImap);
  EXPECT_EQ(c.servers[0].hostname, "imap.gmail.com");
  EXPECT_EQ(c.servers[0].port, 993);
  EXPECT_EQ(c.servers[0].security, Security::kTls);
  EXPECT_EQ(c.servers[0].auth, (std::vector<std::string>{"OAuth2", "password-cleartext"}));
  EXPECT_EQ(c.servers[1].protocol, Protocol::kPop3);
  EXPECT_EQ(c.servers[2].protocol, Protocol::kSmtp);
  EXPECT_EQ(c.servers[3].security, Security::kStartTls);
  EXPECT_EQ(c.servers[3].port, 587);
  EXPECT_EQ(c.documentation_url, "http://mail.google.com/support/bin/answer.py?answer=13273");
  EXPECT_EQ(c.webmail_url, "https://accounts.google.com/ServiceLogin?service=mail");
  EXPECT_TRUE(c.has_oauth2);
  EXPECT_EQ(c.login_policy, "");
  // Some servers accept a password: not oauth2-only.
  EXPECT_EQ(ToProviderInfo(c, Address("a@b.example")).login_policy, "password");
}

TEST(ClientConfig, PlaceholdersInHostAndUsername) {
  ProviderConfig c = ParseOne("placeholders.xml");
  std::vector<std::string> problems;
  auto candidates = ExpandServers(c, Address("bob.smith@Customer.Example"), Source::kAutoconfig,
                                  Trust::kAuthenticated, "test", &problems);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].host, "mail.customer.example");
  EXPECT_EQ(candidates[0].username, "bob.smith");
  EXPECT_EQ(candidates[0].security, Security::kStartTls);
  EXPECT_EQ(candidates[0].rank, 0);
  EXPECT_EQ(candidates[1].host, "smtp.customer.example");  // upper case in the file
  EXPECT_EQ(candidates[1].username, "bob.smith+customer.example");
  EXPECT_EQ(candidates[1].rank, 1);
  EXPECT_EQ(candidates[1].source, Source::kAutoconfig);
  EXPECT_EQ(candidates[1].detail, "test");
}

// Host names as the ISPDB writes them (ispdb/inbox.lv.xml: mail.%EMAILDOMAIN%
// for four domains; ispdb/mail.ee.xml and mx1.tiki.ne.jp.xml: the bare
// %EMAILDOMAIN%): the placeholder is expanded before the host name is
// lower-cased and checked, so the address's own domain is used.
TEST(ClientConfig, DisplayNamePlaceholdersAreExpanded) {
  // The ISPDB's inbox.lv names its provider "%EMAILDOMAIN%".
  ProviderConfig c;
  c.display_name = "%EMAILDOMAIN%";
  EXPECT_EQ(ToProviderInfo(c, Address("anna@inbox.lv")).display_name, "inbox.lv");
}

TEST(ClientConfig, IspdbHostNamePlaceholders) {
  const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="inbox.lv">
    <domain>inbox.lv</domain>
    <domain>inbox.eu</domain>
    <displayName>%EMAILDOMAIN%</displayName>
    <incomingServer type="imap">
      <hostname>mail.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>%EMAILDOMAIN%</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>%EMAILLOCALPART%.Users.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.%emaildomain%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>MAIL.%EMAILDOMAIN%</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>%EMAILADDRESS%</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
    </outgoingServer>
  </emailProvider>
</clientConfig>)";
  auto parsed = ParseClientConfig(xml);
  ASSERT_TRUE(parsed.ok());
  const ProviderConfig& c = parsed->front();
  EXPECT_EQ(c.servers[0].hostname, "mail.%EMAILDOMAIN%");  // kept as written until expanded
  std::vector<std::string> problems;
  auto candidates = ExpandServers(c, Address("Anna.Berzina@Inbox.EU"), Source::kProviders,
                                  Trust::kAuthenticated, "x", &problems);
  ASSERT_EQ(candidates.size(), 4u);
  EXPECT_EQ(candidates[0].host, "mail.inbox.eu");
  EXPECT_EQ(candidates[0].username, "Anna.Berzina@inbox.eu");
  EXPECT_EQ(candidates[1].host, "inbox.eu");
  EXPECT_EQ(candidates[1].protocol, Protocol::kPop3);
  EXPECT_EQ(candidates[2].host, "anna.berzina.users.inbox.eu");
  EXPECT_EQ(candidates[3].host, "mail.inbox.eu");
  EXPECT_EQ(candidates[3].protocol, Protocol::kSmtp);
  // Placeholders are matched as the ISPDB writes them (upper case); an
  // address is no host name. Both servers are dropped, each with a problem.
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("imap.%emaildomain%"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("Anna.Berzina@inbox.eu"), std::string::npos) << problems[1];
  // A local part that cannot be a label drops only the server that uses it.
  problems.clear();
  candidates = ExpandServers(c, Address("a+b@mail.ee"), Source::kProviders, Trust::kAuthenticated,
                             "x", &problems);
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].host, "mail.mail.ee");
  EXPECT_EQ(candidates[1].host, "mail.ee");
  EXPECT_EQ(problems.size(), 3u);
}

TEST(ClientConfig, CrlfWhitespaceAndNoDeclaration) {
  ProviderConfig c = ParseOne("crlf.xml");
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].hostname, "imap.crlf.example");
  EXPECT_EQ(c.servers[0].username, "%EMAILADDRESS%");
}

TEST(ClientConfig, ByteOrderMark) {
  ProviderConfig c = ParseOne("bom.xml");
  EXPECT_EQ(c.servers.size(), 2u);
}

TEST(ClientConfig, CommentsEverywhere) {
  ProviderConfig c = ParseOne("comments.xml");
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].hostname, "imap.comments.example");
}

TEST(ClientConfig, UnknownElementsAndServerTypesAreIgnored) {
  ProviderConfig c = ParseOne("unknown.xml");
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].hostname, "imap.unknown.example");
  EXPECT_EQ(c.servers[1].hostname, "smtp.unknown.example");
  ASSERT_EQ(c.notes.size(), 2u);
  EXPECT_NE(c.notes[0].find("exchange"), std::string::npos);
  EXPECT_NE(c.notes[1].find("jmap"), std::string::npos);
}

TEST(ClientConfig, Pop3AndDefaultPort) {
  ProviderConfig c = ParseOne("pop3-only.xml");
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].protocol, Protocol::kPop3);
  EXPECT_EQ(c.servers[0].security, Security::kPlain);
  EXPECT_EQ(c.servers[1].port, 465);  // no <port>: the default for SSL
}

TEST(ClientConfig, LoginPolicyExtension) {
  ProviderConfig c = ParseOne("login-policy.xml");
  EXPECT_EQ(c.login_policy, "oauth2-only");
  EXPECT_EQ(c.domains[1], "hotmail.example");
  ProviderInfo info = ToProviderInfo(c, Address("a@b.example"));
  EXPECT_EQ(info.login_policy, "oauth2-only");
  EXPECT_EQ(info.display_name, "Outlook Example");
  EXPECT_EQ(info.documentation_url, "https://support.example/oauth");
}

TEST(ClientConfig, OAuthOnlyInferredFromAuthentication) {
  EXPECT_EQ(ToProviderInfo(ParseOne("oauth-inferred.xml"), Address("a@b.example")).login_policy,
            "oauth2-only");
}

TEST(ClientConfig, BadServersAreSkippedWithNotes) {
  ProviderConfig c = ParseOne("bad-servers.xml");
  // Only the last imap server survives the parser; the bad host name is
  // dropped when expanding.
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[1].hostname, "imap.bad.example");
  EXPECT_EQ(c.notes.size(), 5u);
  std::vector<std::string> problems;
  auto candidates = ExpandServers(c, Address("a@bad.example"), Source::kIspdb,
                                  Trust::kAuthenticated, "x", &problems);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].host, "imap.bad.example");
  EXPECT_EQ(problems.size(), 1u);
}

TEST(ClientConfig, ProviderWithoutServers) {
  ProviderConfig c = ParseOne("no-servers.xml");
  EXPECT_TRUE(c.servers.empty());
  EXPECT_EQ(c.documentation_url, "https://closed.example/help/no-imap");
}

TEST(ClientConfig, UnicodeDomainAndHost) {
  ProviderConfig c = ParseOne("idn.xml");
  EXPECT_EQ(c.display_name, "Bücher Mail & Co");
  auto candidates = ExpandServers(c, Address("anna@bücher.example"), Source::kProviders,
                                  Trust::kAuthenticated, "x");
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].host, "imap.xn--bcher-kva.example");
  EXPECT_EQ(candidates[1].host, "smtp.xn--bcher-kva.example");
  EXPECT_EQ(candidates[1].username, "anna@xn--bcher-kva.example");
}

TEST(ClientConfig, SeveralProviders) {
  auto parsed = ParseClientConfig(ReadCorpus("clientconfig/two-providers.xml"));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].id, "second.example");
}

TEST(ClientConfig, EntitiesAreNotExpanded) {
  ProviderConfig c = ParseOne("doctype.xml");
  EXPECT_EQ(c.display_name.find("root:"), std::string::npos);
  ASSERT_EQ(c.servers.size(), 1u);
  EXPECT_EQ(c.servers[0].username.find("root:"), std::string::npos);
}

TEST(ClientConfig, Rejections) {
  for (const char* file : {"truncated.xml", "wrong-root.xml", "no-provider.xml"}) {
    auto parsed = ParseClientConfig(ReadCorpus(std::string("clientconfig/") + file));
    EXPECT_FALSE(parsed.ok()) << file;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.error().kind, ErrorKind::kProtocol);
    }
  }
  EXPECT_FALSE(ParseClientConfig("").ok());
  EXPECT_FALSE(ParseClientConfig("not xml at all").ok());
  std::string huge = "<clientConfig>" + std::string(kMaxClientConfigBytes, ' ') + "</clientConfig>";
  auto parsed = ParseClientConfig(huge);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message.find("larger"), std::string::npos);
}

TEST(ClientConfig, DeepNestingIsRejectedNotACrash) {
  std::string deep = "<clientConfig><emailProvider>";
  for (int i = 0; i < 5000; ++i) deep += "<a>";
  for (int i = 0; i < 5000; ++i) deep += "</a>";
  deep += "</emailProvider></clientConfig>";
  EXPECT_FALSE(ParseClientConfig(deep).ok());
}

TEST(ClientConfig, ManyServersAreBounded) {
  std::string xml = "<clientConfig><emailProvider id='m'>";
  for (int i = 0; i < 500; ++i) {
    xml += "<incomingServer type='imap'><hostname>h" + std::to_string(i) +
           ".example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>";
  }
  xml += "</emailProvider></clientConfig>";
  auto parsed = ParseClientConfig(xml);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->front().servers.size(), 64u);
}

TEST(ClientConfig, ExpandPlaceholdersLeavesOtherPercentSignsAlone) {
  EmailAddress a = Address("x%y@d.example");
  EXPECT_EQ(ExpandPlaceholders("%EMAILLOCALPART%-%FOO%-%EMAILDOMAIN%-%", a),
            "x%y-%FOO%-d.example-%");
}

}  // namespace
}  // namespace mailscout
