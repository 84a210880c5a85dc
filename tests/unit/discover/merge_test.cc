#include "discover/merge.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace mailscout {
namespace {

ServerCandidate C(Protocol p, const std::string& host, uint16_t port, Security s, Source source,
                  Trust trust, int rank = 0, const std::string& user = "") {
  ServerCandidate c;
  c.protocol = p;
  c.host = host;
  c.port = port;
  c.security = s;
  c.source = source;
  c.trust = trust;
  c.rank = rank;
  c.username = user;
  c.detail = std::string(ToString(source));
  return c;
}

TEST(Merge, DuplicatesFoldIntoTheBestSource) {
  std::vector<ServerCandidate> all = {
      C(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kGuess, Trust::kGuessed),
      C(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated),
      C(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kAutoconfig,
        Trust::kAuthenticated, 0, "alice@example.com"),
      C(Protocol::kImap, "imap.example.com", 143, Security::kStartTls, Source::kSrv,
        Trust::kUnauthenticated),
  };
  auto merged = MergeCandidates(all);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].source, Source::kAutoconfig);
  EXPECT_EQ(merged[0].username, "alice@example.com");
  EXPECT_EQ(merged[0].also_from, (std::vector<Source>{Source::kSrv, Source::kGuess}));
  EXPECT_EQ(merged[1].port, 143);
}

TEST(Merge, UsernameAndAuthAreFilledFromOthers) {
  auto a = C(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls, Source::kAutoconfig,
             Trust::kAuthenticated);
  auto b = C(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls, Source::kIspdb,
             Trust::kAuthenticated, 0, "alice");
  b.auth = {"password-cleartext"};
  auto merged = MergeCandidates({b, a});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0].source, Source::kAutoconfig);
  EXPECT_EQ(merged[0].username, "alice");
  EXPECT_EQ(merged[0].auth, (std::vector<std::string>{"password-cleartext"}));
}

TEST(Merge, OrderIsProtocolThenTrustThenSourceThenRank) {
  std::vector<ServerCandidate> all = {
      C(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls, Source::kProviders,
        Trust::kAuthenticated),
      C(Protocol::kImap, "guess.example.com", 993, Security::kTls, Source::kGuess, Trust::kGuessed),
      C(Protocol::kImap, "srv2.example.com", 993, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated, 1),
      C(Protocol::kImap, "srv1.example.com", 993, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated, 0),
      C(Protocol::kImap, "ispdb.example.com", 993, Security::kTls, Source::kIspdb,
        Trust::kAuthenticated),
      C(Protocol::kPop3, "pop.example.com", 995, Security::kTls, Source::kIspdb,
        Trust::kAuthenticated),
      C(Protocol::kImap, "ac.example.com", 993, Security::kTls, Source::kAutoconfig,
        Trust::kAuthenticated),
  };
  auto merged = MergeCandidates(all);
  std::vector<std::string> hosts;
  for (const auto& c : merged) hosts.push_back(c.host);
  EXPECT_EQ(hosts,
            (std::vector<std::string>{"ac.example.com", "ispdb.example.com", "srv1.example.com",
                                      "srv2.example.com", "guess.example.com", "pop.example.com",
                                      "smtp.example.com"}));
}

TEST(Merge, WarningForUnauthenticatedHostOutsideTheDomain) {
  EmailAddress a = Address("alice@example.com");
  std::vector<ServerCandidate> merged = {
      C(Protocol::kImap, "imap.example.com", 993, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated),
      C(Protocol::kImap, "mail.hoster.example", 993, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated),
      C(Protocol::kSmtp, "mail.hoster.example", 465, Security::kTls, Source::kSrv,
        Trust::kUnauthenticated),
      C(Protocol::kImap, "imap.other.example", 993, Security::kTls, Source::kAutoconfig,
        Trust::kAuthenticated),
  };
  auto warnings = TrustWarnings(merged, a);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("mail.hoster.example"), std::string::npos);
  EXPECT_NE(warnings[0].find("example.com"), std::string::npos);
  EXPECT_NE(warnings[0].find("hoster.example"), std::string::npos);
  EXPECT_NE(warnings[0].find("plain DNS"), std::string::npos);
}

TEST(Merge, SubdomainAddressAcceptsHostsOfItsRegistrableDomain) {
  auto warnings = TrustWarnings({C(Protocol::kImap, "mail.example.co.uk", 993, Security::kTls,
                                   Source::kMx, Trust::kUnauthenticated)},
                                Address("a@dept.example.co.uk"));
  EXPECT_TRUE(warnings.empty());
}

TEST(Merge, LoginPolicyWarnings) {
  ProviderInfo p;
  p.display_name = "Google Mail";
  p.documentation_url = "https://help.example/app";
  EmailAddress a = Address("alice@gmail.com");
  EXPECT_FALSE(LoginPolicyWarning(p, a).has_value());
  p.login_policy = "app-password";
  auto w = LoginPolicyWarning(p, a);
  ASSERT_TRUE(w.has_value());
  EXPECT_NE(w->find("app password"), std::string::npos);
  EXPECT_NE(w->find("https://help.example/app"), std::string::npos);
  // The overlay's <appPassword> says how, and links there instead.
  p.app_password_url = "https://help.example/create";
  p.app_password_text = "Create one under Security.";
  w = LoginPolicyWarning(p, a);
  EXPECT_NE(w->find("Create one under Security. (Or use OAuth2.) How: https://help.example/create"),
            std::string::npos)
      << *w;
  p.login_policy = "oauth2-only";
  w = LoginPolicyWarning(p, a);
  ASSERT_TRUE(w.has_value());
  EXPECT_NE(w->find("OAuth2"), std::string::npos);
}

}  // namespace
}  // namespace mailscout
