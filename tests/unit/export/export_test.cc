// What every export shares: AccountFromReport's checks, format names, and
// that no export ever carries a password.
#include "export/export.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "export/export_test_util.h"

namespace mailscout {
namespace {

using testing::MakeReport;

TEST(ExportTest, FormatNamesRoundTrip) {
  EXPECT_EQ(AllExportFormats().size(), 9u);
  for (ExportFormat f : AllExportFormats()) {
    auto parsed = ParseExportFormat(ToString(f));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, f);
  }
  EXPECT_FALSE(ParseExportFormat("outlook"));
  EXPECT_EQ(DefaultFileName(ExportFormat::kThunderbird, "a@b.example"), "config-v1.1.xml");
  EXPECT_EQ(DefaultFileName(ExportFormat::kMobileconfig, "a b@c.example"),
            "a-b@c.example.mobileconfig");
  EXPECT_EQ(DefaultFileName(ExportFormat::kAndroidQr, "a@b.example"), "a@b.example.android.png");
}

// A Unicode host name (from a provider file, say) is written as A-labels in
// every format.
TEST(ExportTest, UnicodeHostBecomesALabels) {
  SetupReport report = MakeReport();
  report.recommended.incoming->host = "imap.bücher.example";
  EXPECT_EQ(testing::Account(report).incoming[0].host, "imap.xn--bcher-kva.example");
  report.recommended.incoming->host = "imap.b\xc3.example";  // not UTF-8 at all
  EXPECT_FALSE(AccountFromReport(report).ok());
}

TEST(ExportTest, NeedsBothDirections) {
  SetupReport report = MakeReport();
  report.recommended.outgoing.reset();
  auto account = AccountFromReport(report);
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.error().message.find("outgoing"), std::string::npos);
  report = MakeReport();
  report.recommended.incoming.reset();
  account = AccountFromReport(report);
  ASSERT_FALSE(account.ok());
  EXPECT_NE(account.error().message.find("incoming"), std::string::npos);
}

TEST(ExportTest, RefusesControlCharactersAndOddHosts) {
  SetupReport report = MakeReport();
  report.recommended.incoming->username = "alice\npasswordeval rm -rf ~";
  EXPECT_FALSE(AccountFromReport(report).ok());
  report = MakeReport();
  report.display_name = "Alice\r\nX";
  EXPECT_FALSE(AccountFromReport(report).ok());
  report = MakeReport();
  report.recommended.outgoing->host = "smtp.example.com/evil";
  EXPECT_FALSE(AccountFromReport(report).ok());
  report = MakeReport();
  report.recommended.outgoing_alternatives[0].host = "a b";
  EXPECT_FALSE(AccountFromReport(report).ok());
}

TEST(ExportTest, MissingUsernameFallsBackToAddress) {
  SetupReport report = MakeReport();
  report.recommended.incoming->username.clear();
  auto account = AccountFromReport(report);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->incoming[0].username, "alice@example.com");
}

TEST(ExportTest, DisplayNameDefaultsToAddress) {
  SetupReport report = MakeReport();
  report.display_name.clear();
  EXPECT_EQ(testing::Account(report).display_name, "alice@example.com");
}

// No export has a password field, and no line that would hold one is
// active (only the comments that tell the user how to add a command).
TEST(ExportTest, NoPasswordInAnyExport) {
  const std::regex active_password(
      R"((^|\n)\s*(password|passwordeval|PassCmd|Pass|imap_pass|smtp_pass|pop_pass|set imap_pass|set smtp_pass|source-cred-cmd|outgoing-cred-cmd)\b)",
      std::regex::icase);
  for (ExportFormat f : AllExportFormats()) {
    std::string text = testing::Write(f, MakeReport());
    EXPECT_FALSE(std::regex_search(text, active_password)) << ToString(f) << "\n" << text;
    EXPECT_EQ(text.find("<key>Password"), std::string::npos) << ToString(f);
    EXPECT_EQ(text.find("<key>IncomingPassword</key>"), std::string::npos) << ToString(f);
    EXPECT_EQ(text.find("<key>OutgoingPassword</key>"), std::string::npos) << ToString(f);
    EXPECT_EQ(text.find("<password"), std::string::npos) << ToString(f);
    EXPECT_EQ(text.find(":secret@"), std::string::npos) << ToString(f);
  }
}

TEST(ExportTest, RandomUuidFormat) {
  const std::regex uuid("[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");
  std::string a = RandomUuid();
  EXPECT_TRUE(std::regex_match(a, uuid)) << a;
  EXPECT_NE(a, RandomUuid());
}

}  // namespace
}  // namespace mailscout
