// Round trips through discovery's own parsers: a Thunderbird export read
// back as a provider file, and an Autodiscover export read back as an
// Autodiscover response, give exactly the settings that were exported.
#include <gtest/gtest.h>

#include "discover/autodiscover.h"
#include "discover/client_config.h"
#include "export/export_test_util.h"

namespace mailscout {
namespace {

using testing::MakeReport;
using testing::MakeSetting;

SetupReport OddReport() {
  SetupReport report = MakeReport();
  // Literal usernames that look like placeholders or need escaping survive.
  report.recommended.incoming->username = "alice";
  report.recommended.incoming_alternatives.push_back(
      MakeSetting(Protocol::kPop3, "pop.example.com", 995, Security::kTls, "a&b<c>"));
  report.recommended.outgoing->security = Security::kStartTls;
  report.recommended.outgoing->port = 2525;
  return report;
}

TEST(RoundTripTest, ThunderbirdExportReadsBackAsTheSameSettings) {
  SetupReport report = OddReport();
  ExportAccount account = testing::Account(report);
  auto parsed = ParseClientConfig(testing::Write(ExportFormat::kThunderbird, report));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  auto address = EmailAddress::Parse(account.email).value();
  std::vector<ServerCandidate> back =
      ExpandServers(parsed->front(), address, Source::kProviders, Trust::kAuthenticated, "file");
  std::vector<Setting> expected = account.incoming;
  expected.insert(expected.end(), account.outgoing.begin(), account.outgoing.end());
  ASSERT_EQ(back.size(), expected.size());
  for (size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].protocol, expected[i].protocol) << i;
    EXPECT_EQ(back[i].host, expected[i].host) << i;
    EXPECT_EQ(back[i].port, expected[i].port) << i;
    EXPECT_EQ(back[i].security, expected[i].security) << i;
    EXPECT_EQ(back[i].username, expected[i].username) << i;
    ASSERT_FALSE(back[i].auth.empty());
    EXPECT_EQ(back[i].auth.front(), expected[i].auth) << i;
  }
  EXPECT_EQ(parsed->front().domains, std::vector<std::string>{"example.com"});
}

TEST(RoundTripTest, AutodiscoverExportReadsBackAsTheSameSettings) {
  for (Security in_sec : {Security::kTls, Security::kStartTls, Security::kPlain}) {
    SetupReport report = OddReport();
    report.recommended.incoming->security = in_sec;
    report.recommended.incoming->port = 10143;  // a port that says nothing about security
    ExportAccount account = testing::Account(report);
    auto parsed = ParseAutodiscover(testing::Write(ExportFormat::kAutodiscover, report));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->action, AutodiscoverResponse::Action::kSettings);
    EXPECT_EQ(parsed->display_name, "Alice Example");
    ASSERT_EQ(parsed->servers.size(), 2u);
    const Setting* want[] = {&account.incoming[0], &account.outgoing[0]};
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(parsed->servers[i].protocol, want[i]->protocol);
      EXPECT_EQ(parsed->servers[i].host, want[i]->host);
      EXPECT_EQ(parsed->servers[i].port, want[i]->port);
      EXPECT_EQ(parsed->servers[i].security, want[i]->security) << ToString(in_sec);
      EXPECT_EQ(parsed->servers[i].login_name, want[i]->username);
    }
  }
}

}  // namespace
}  // namespace mailscout
