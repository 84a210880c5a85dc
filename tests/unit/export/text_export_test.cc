// msmtp, mbsync, neomutt and aerc snippets: the security mapping, literal
// usernames, IMAP-only clients, and values that cannot be written safely.
#include <gtest/gtest.h>

#include <string>

#include "export/export_test_util.h"

namespace mailscout {
namespace {

using testing::MakeReport;
using testing::MakeSetting;
using testing::Write;

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

SetupReport StartTlsReport() {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kImap, "imap.example.com", 143, Security::kStartTls, "alice");
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls, "alice");
  return report;
}

TEST(MsmtpExportTest, ImplicitTls) {
  std::string t = Write(ExportFormat::kMsmtp, MakeReport());
  EXPECT_TRUE(HasLine(t, "host smtp.example.com")) << t;
  EXPECT_TRUE(HasLine(t, "port 465"));
  EXPECT_TRUE(HasLine(t, "tls on"));
  EXPECT_TRUE(HasLine(t, "tls_starttls off"));
  EXPECT_TRUE(HasLine(t, "auth on"));
  EXPECT_TRUE(HasLine(t, "user \"alice@example.com\""));
  EXPECT_TRUE(HasLine(t, "from \"alice@example.com\""));
  EXPECT_TRUE(HasLine(t, "account default : alice@example.com"));
}

TEST(MsmtpExportTest, StartTlsAndPlain) {
  std::string t = Write(ExportFormat::kMsmtp, StartTlsReport());
  EXPECT_TRUE(HasLine(t, "port 587"));
  EXPECT_TRUE(HasLine(t, "tls on"));
  EXPECT_TRUE(HasLine(t, "tls_starttls on"));
  SetupReport plain = MakeReport();
  plain.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kPlain);
  t = Write(ExportFormat::kMsmtp, plain);
  EXPECT_TRUE(HasLine(t, "tls off"));
  EXPECT_FALSE(HasLine(t, "tls on"));
}

// msmtp strips one enclosing pair of quotes and has no escapes.
TEST(MsmtpExportTest, QuotesEncloseLiterally) {
  SetupReport report = MakeReport();
  report.recommended.outgoing->username = " we\"ird\\user ";
  EXPECT_TRUE(HasLine(Write(ExportFormat::kMsmtp, report), "user \" we\"ird\\user \""));
}

// isync honours backslash escapes inside quotes.
TEST(MbsyncExportTest, QuotesEscaped) {
  SetupReport report = MakeReport();
  report.recommended.incoming->username = "we\"ird\\user";
  EXPECT_TRUE(HasLine(Write(ExportFormat::kMbsync, report), "User \"we\\\"ird\\\\user\""));
}

TEST(MbsyncExportTest, TlsTypes) {
  std::string t = Write(ExportFormat::kMbsync, MakeReport());
  EXPECT_TRUE(HasLine(t, "IMAPAccount alice@example.com")) << t;
  EXPECT_TRUE(HasLine(t, "Host imap.example.com"));
  EXPECT_TRUE(HasLine(t, "Port 993"));
  EXPECT_TRUE(HasLine(t, "User \"alice@example.com\""));
  EXPECT_TRUE(HasLine(t, "SSLType IMAPS"));
  EXPECT_TRUE(HasLine(t, "IMAPStore alice@example.com-remote"));
  EXPECT_TRUE(HasLine(t, "Channel alice@example.com"));
  t = Write(ExportFormat::kMbsync, StartTlsReport());
  EXPECT_TRUE(HasLine(t, "SSLType STARTTLS"));
  EXPECT_TRUE(HasLine(t, "Port 143"));
  EXPECT_TRUE(HasLine(t, "User \"alice\""));
}

TEST(MbsyncExportTest, Pop3RecommendationFallsBackToImapWithNote) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 995, Security::kTls);
  auto file = WriteExport(ExportFormat::kMbsync, testing::Account(report));
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(HasLine(file->text, "Port 143"));
  EXPECT_TRUE(HasLine(file->text, "SSLType STARTTLS"));
  ASSERT_EQ(file->notes.size(), 1u);
  EXPECT_NE(file->notes[0].find("IMAP only"), std::string::npos);
}

TEST(MbsyncExportTest, Pop3OnlyFails) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 995, Security::kTls);
  report.recommended.incoming_alternatives.clear();
  auto file = WriteExport(ExportFormat::kMbsync, testing::Account(report));
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("IMAP only"), std::string::npos);
  EXPECT_FALSE(WriteExport(ExportFormat::kAerc, testing::Account(report)).ok());
}

TEST(NeomuttExportTest, ImplicitTls) {
  std::string t = Write(ExportFormat::kNeomutt, MakeReport());
  EXPECT_TRUE(HasLine(t, "set folder = 'imaps://imap.example.com:993/'")) << t;
  EXPECT_TRUE(HasLine(t, "set imap_user = 'alice@example.com'"));
  EXPECT_TRUE(HasLine(t, "set smtp_url = 'smtps://alice%40example.com@smtp.example.com:465/'"));
  EXPECT_TRUE(HasLine(t, "set ssl_force_tls = yes"));
  EXPECT_TRUE(HasLine(t, "set realname = 'Alice Example'"));
}

TEST(NeomuttExportTest, StartTls) {
  std::string t = Write(ExportFormat::kNeomutt, StartTlsReport());
  EXPECT_TRUE(HasLine(t, "set folder = 'imap://imap.example.com:143/'")) << t;
  EXPECT_TRUE(HasLine(t, "set smtp_url = 'smtp://alice@smtp.example.com:587/'"));
  EXPECT_TRUE(HasLine(t, "set ssl_starttls = yes"));
  EXPECT_TRUE(HasLine(t, "set ssl_force_tls = yes"));
}

TEST(NeomuttExportTest, Pop3AndPlain) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 110, Security::kPlain, "alice");
  std::string t = Write(ExportFormat::kNeomutt, report);
  EXPECT_TRUE(HasLine(t, "set pop_user = 'alice'")) << t;
  EXPECT_TRUE(HasLine(t, "set pop_host = 'pop://pop.example.com:110/'"));
  EXPECT_TRUE(HasLine(t, "set ssl_force_tls = no"));
}

TEST(NeomuttExportTest, RefusesQuotesAndBackticks) {
  SetupReport report = MakeReport();
  report.display_name = "O'Brien";
  EXPECT_FALSE(WriteExport(ExportFormat::kNeomutt, testing::Account(report)).ok());
  report.display_name = "`rm -rf ~`";
  EXPECT_FALSE(WriteExport(ExportFormat::kNeomutt, testing::Account(report)).ok());
}

TEST(AercExportTest, UrlForms) {
  std::string t = Write(ExportFormat::kAerc, MakeReport());
  EXPECT_TRUE(HasLine(t, "[alice@example.com]")) << t;
  EXPECT_TRUE(HasLine(t, "source   = imaps://alice%40example.com@imap.example.com:993"));
  EXPECT_TRUE(HasLine(t, "outgoing = smtps://alice%40example.com@smtp.example.com:465"));
  EXPECT_TRUE(HasLine(t, "from     = Alice Example <alice@example.com>"));
  t = Write(ExportFormat::kAerc, StartTlsReport());
  EXPECT_TRUE(HasLine(t, "source   = imap://alice@imap.example.com:143"));
  EXPECT_TRUE(HasLine(t, "outgoing = smtp://alice@smtp.example.com:587"));
  SetupReport plain = MakeReport();
  plain.recommended.incoming =
      MakeSetting(Protocol::kImap, "imap.example.com", 143, Security::kPlain);
  plain.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kPlain);
  t = Write(ExportFormat::kAerc, plain);
  EXPECT_TRUE(HasLine(t, "source   = imap+insecure://alice%40example.com@imap.example.com:143"));
  EXPECT_TRUE(HasLine(t, "outgoing = smtp+insecure://alice%40example.com@smtp.example.com:587"));
}

TEST(AercExportTest, DisplayNameQuoted) {
  SetupReport report = MakeReport();
  report.display_name = "Example, Alice \"Al\"";
  EXPECT_TRUE(HasLine(Write(ExportFormat::kAerc, report),
                      "from     = \"Example, Alice \\\"Al\\\"\" <alice@example.com>"));
}

}  // namespace
}  // namespace mailscout
