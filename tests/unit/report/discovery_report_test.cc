#include <gtest/gtest.h>

#include "report/discovery_json.h"
#include "report/discovery_text.h"

namespace mailscout {
namespace {

DiscoveryResult Sample() {
  DiscoveryResult r;
  r.email = "anna@bücher.example";
  r.domain = "xn--bcher-kva.example";
  ServerCandidate c;
  c.protocol = Protocol::kImap;
  c.host = "imap.xn--bcher-kva.example";
  c.port = 993;
  c.security = Security::kTls;
  c.username = "anna@xn--bcher-kva.example";
  c.source = Source::kAutoconfig;
  c.trust = Trust::kAuthenticated;
  c.detail = "https://autoconfig.xn--bcher-kva.example/mail/config-v1.1.xml";
  c.auth = {"password-cleartext"};
  c.also_from = {Source::kSrv, Source::kGuess};
  c.rank = 2;
  r.candidates.push_back(c);
  c.protocol = Protocol::kSmtp;
  c.host = "smtp.hoster.example";
  c.port = 587;
  c.security = Security::kStartTls;
  c.source = Source::kSrv;
  c.trust = Trust::kUnauthenticated;
  c.also_from.clear();
  r.candidates.push_back(c);
  r.sources.push_back({"autoconfig", "found", 12, "GET ...: HTTP 200"});
  r.sources.push_back({"guess", "skipped", 0, "--no-guess"});
  r.warnings.push_back("smtp.hoster.example is outside ...");
  ProviderInfo p;
  p.id = "buecher";
  p.display_name = "Bücher Mail";
  p.login_policy = "app-password";
  r.provider = p;
  return r;
}

TEST(DiscoveryJson, RoundTrip) {
  DiscoveryResult r = Sample();
  std::string text = DiscoveryToJsonText(r);
  Result<DiscoveryResult> back = DiscoveryFromJsonText(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->email, r.email);
  EXPECT_EQ(back->domain, r.domain);
  ASSERT_EQ(back->candidates.size(), 2u);
  const ServerCandidate& c = back->candidates[0];
  EXPECT_EQ(c.host, "imap.xn--bcher-kva.example");
  EXPECT_EQ(c.port, 993);
  EXPECT_EQ(c.security, Security::kTls);
  EXPECT_EQ(c.source, Source::kAutoconfig);
  EXPECT_EQ(c.trust, Trust::kAuthenticated);
  EXPECT_EQ(c.also_from, (std::vector<Source>{Source::kSrv, Source::kGuess}));
  EXPECT_EQ(c.auth, (std::vector<std::string>{"password-cleartext"}));
  EXPECT_EQ(c.rank, 2);
  EXPECT_EQ(back->candidates[1].security, Security::kStartTls);
  EXPECT_EQ(back->sources.size(), 2u);
  EXPECT_EQ(back->sources[0].ms, 12);
  EXPECT_EQ(back->warnings, r.warnings);
  ASSERT_TRUE(back->provider.has_value());
  EXPECT_EQ(back->provider->login_policy, "app-password");
  EXPECT_EQ(back->provider->display_name, "Bücher Mail");
}

TEST(DiscoveryJson, FieldNamesAreTheDocumentedOnes) {
  std::string text = DiscoveryToJsonText(Sample());
  for (const char* key :
       {"\"email\"", "\"domain\"", "\"candidates\"", "\"protocol\"", "\"host\"", "\"port\"",
        "\"security\"", "\"username\"", "\"source\"", "\"trust\"", "\"detail\"", "\"sources\"",
        "\"name\"", "\"status\"", "\"ms\"", "\"warnings\""}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  EXPECT_NE(text.find("\"starttls\""), std::string::npos);
  EXPECT_NE(text.find("\"unauthenticated\""), std::string::npos);
}

TEST(DiscoveryJson, RejectsBadInput) {
  EXPECT_FALSE(DiscoveryFromJsonText("").ok());
  EXPECT_FALSE(DiscoveryFromJsonText("[]").ok());
  EXPECT_FALSE(DiscoveryFromJsonText("{\"email\":\"a@b.c\"}").ok());
  EXPECT_FALSE(
      DiscoveryFromJsonText("{\"email\":\"a@b.c\",\"domain\":\"b.c\",\"candidates\":[{\"protocol\":"
                            "\"imap\",\"host\":\"h\",\"port\":99999,\"security\":\"tls\"}]}")
          .ok());
  EXPECT_FALSE(
      DiscoveryFromJsonText("{\"email\":\"a@b.c\",\"domain\":\"b.c\",\"candidates\":[{\"protocol\":"
                            "\"imap\",\"host\":\"h\",\"port\":993,\"security\":\"ssl\"}]}")
          .ok());
  auto minimal = DiscoveryFromJsonText(
      "{\"email\":\"a@b.c\",\"domain\":\"b.c\",\"candidates\":[{\"protocol\":\"pop3\","
      "\"host\":\"h\",\"port\":995,\"security\":\"tls\"}]}");
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->candidates[0].protocol, Protocol::kPop3);
}

TEST(DiscoveryText, ShowsServersTrustWarningsAndSources) {
  std::string text = DiscoveryToText(Sample());
  EXPECT_NE(text.find("anna@bücher.example (xn--bcher-kva.example)"), std::string::npos);
  EXPECT_NE(text.find("imap.xn--bcher-kva.example port 993, SSL/TLS"), std::string::npos);
  EXPECT_NE(text.find("smtp.hoster.example port 587, STARTTLS"), std::string::npos);
  EXPECT_NE(text.find("NOT authenticated"), std::string::npos);
  EXPECT_NE(text.find("also from srv, guess"), std::string::npos);
  EXPECT_NE(text.find("POP3 (incoming)\n  none found"), std::string::npos);
  EXPECT_NE(text.find("! smtp.hoster.example is outside"), std::string::npos);
  EXPECT_NE(text.find("app password"), std::string::npos);
  EXPECT_NE(text.find("--no-guess"), std::string::npos);
}

TEST(DiscoveryText, ProgressLine) {
  EXPECT_EQ(ProgressLine({{"srv", "found", 1, ""},
                          {"autodiscover", "running", 1250, ""},
                          {"guess", "running", 40, ""}}),
            "discovering: waiting for autodiscover 1.2 s, guess 0.0 s");
  EXPECT_EQ(ProgressLine({{"srv", "found", 1, ""}}), "");
}

}  // namespace
}  // namespace mailscout
