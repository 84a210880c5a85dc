// The helpdesk card (report/setup_text.h): each part is present and worded
// for a person, and nothing secret can appear.
#include "report/setup_text.h"

#include <gtest/gtest.h>

#include "recommend/ranking.h"

namespace mailscout {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ServerCandidate Cand(Protocol p, const std::string& host, uint16_t port, Security s) {
  ServerCandidate c;
  c.protocol = p;
  c.host = host;
  c.port = port;
  c.security = s;
  c.source = Source::kAutoconfig;
  c.trust = Trust::kAuthenticated;
  c.detail = "https://autoconfig.example.com/mail/config-v1.1.xml";
  c.username = "alice@example.com";
  return c;
}

CheckResult Check(const ServerCandidate& c, bool login_ok, const std::string& user) {
  CheckResult r;
  r.protocol = c.protocol;
  r.host = c.host;
  r.port = c.port;
  r.security = c.security;
  r.username = user;
  r.login_attempted = !user.empty();
  r.login_ok = login_ok;
  r.ok = login_ok || user.empty();
  r.tls = TlsInfo{};
  r.tls->chain_ok = r.tls->name_ok = true;
  r.auth_used = login_ok ? "PLAIN" : "";
  return r;
}

SetupReport Report() {
  SetupReport report;
  report.discovery.email = "alice@example.com";
  report.discovery.domain = "example.com";
  auto imap = Cand(Protocol::kImap, "imap.example.com", 993, Security::kTls);
  auto imap143 = Cand(Protocol::kImap, "imap.example.com", 143, Security::kStartTls);
  auto smtp = Cand(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  report.discovery.candidates = {imap, imap143, smtp};
  report.discovery.sources = {{"autoconfig", "found", 12, "config-v1.1.xml over https"},
                              {"srv", "none", 3, "no SRV records"}};
  CheckResult rejected = Check(imap, false, "alice@example.com");
  rejected.error =
      Error::Make(ErrorKind::kAuth, "The server rejected the password for alice@example.com",
                  "a NO [AUTHENTICATIONFAILED] Authentication failed.", Phase::kAuth);
  CheckResult tarpit = Check(smtp, false, "");
  tarpit.host = "tarpit.example.com";
  tarpit.ok = false;
  tarpit.error = Error::Make(ErrorKind::kTimeout, "No greeting from tarpit.example.com within 5 s",
                             "", Phase::kGreeting);
  CheckResult cancelled = Check(imap143, false, "");
  cancelled.ok = false;
  cancelled.error = Error::Make(ErrorKind::kTimeout, "cancelled", "", Phase::kCancelled);
  report.checks = {rejected, Check(imap, true, "alice"), Check(smtp, true, "alice"), tarpit,
                   cancelled};
  report.password_given = true;
  report.recommended = Recommend(report.discovery.candidates, report.checks, {});
  report.ms = 123;
  return report;
}

TEST(SetupTextTest, CardShowsBothSidesInClientWords) {
  std::string t = SetupText(Report());
  EXPECT_TRUE(Has(t, "READY")) << t;
  EXPECT_TRUE(Has(t, "INCOMING MAIL (IMAP)"));
  EXPECT_TRUE(Has(t, "OUTGOING MAIL (SMTP)"));
  EXPECT_TRUE(Has(t, "  Server          imap.example.com\n"));
  EXPECT_TRUE(Has(t, "  Port            993\n"));
  EXPECT_TRUE(Has(t, "  Security        SSL/TLS\n"));
  EXPECT_TRUE(Has(t, "  Security        STARTTLS\n"));
  EXPECT_TRUE(Has(t, "  Username        alice\n"));
  EXPECT_TRUE(Has(t, "  Authentication  Normal password\n"));
  EXPECT_TRUE(Has(t, "VERIFIED (login succeeded)"));
  EXPECT_TRUE(Has(t, "(0.12 s)"));
}

TEST(SetupTextTest, ProblemsExplainedAndCancelledCounted) {
  std::string t = SetupText(Report());
  EXPECT_TRUE(Has(t, "Problems found")) << t;
  EXPECT_TRUE(Has(t, "rejected the password for alice@example.com"));
  EXPECT_TRUE(Has(t, "AUTHENTICATIONFAILED"));
  EXPECT_TRUE(Has(t, "The username alice worked on this server"));
  EXPECT_TRUE(Has(t, "tarpit.example.com"));
  EXPECT_TRUE(Has(t, "never said hello"));
  EXPECT_TRUE(Has(t, "1 check was stopped early"));
}

TEST(SetupTextTest, OriginsAndSources) {
  std::string t = SetupText(Report());
  EXPECT_TRUE(Has(t, "Where the settings came from")) << t;
  EXPECT_TRUE(Has(t, "autoconfig: https://autoconfig.example.com/mail/config-v1.1.xml"));
  EXPECT_TRUE(Has(t, "srv             none"));
}

TEST(SetupTextTest, NoPasswordVerdict) {
  SetupReport report = Report();
  report.password_given = false;
  report.checks = {Check(report.discovery.candidates[0], false, ""),
                   Check(report.discovery.candidates[2], false, "")};
  report.recommended = Recommend(report.discovery.candidates, report.checks, {});
  std::string t = SetupText(report);
  EXPECT_TRUE(Has(t, "NOT VERIFIED - no password was given")) << t;
  EXPECT_TRUE(Has(t, "not verified (no password given)"));
  EXPECT_TRUE(Has(t, "No password was given"));
}

TEST(SetupTextTest, NothingWorks) {
  SetupReport report;
  report.discovery.email = "nobody@nowhere.example";
  report.password_given = true;
  std::string t = SetupText(report);
  EXPECT_TRUE(Has(t, "NOTHING WORKS")) << t;
  EXPECT_TRUE(Has(t, "Nothing works: see"));
}

TEST(SetupTextTest, PasswordRejectedVerdict) {
  SetupReport report = Report();
  CheckResult rej = report.checks[0];
  CheckResult smtp_rej = report.checks[2];
  smtp_rej.login_ok = false;
  smtp_rej.ok = false;
  smtp_rej.error = rej.error;
  report.checks = {rej, smtp_rej};
  report.recommended = Recommend(report.discovery.candidates, report.checks, {});
  std::string t = SetupText(report);
  EXPECT_TRUE(Has(t, "PASSWORD REJECTED")) << t;
  EXPECT_TRUE(Has(t, "NOT VERIFIED (password rejected)"));
  EXPECT_TRUE(Has(t, "Check the password"));
}

TEST(SetupTextTest, RefusalByPolicyIsNotAWrongPassword) {
  SetupReport report = Report();
  CheckResult rej = report.checks[0];
  ASSERT_TRUE(rej.error.has_value());
  rej.error->reason = "basic-auth-disabled";
  CheckResult smtp_rej = report.checks[2];
  smtp_rej.login_ok = false;
  smtp_rej.ok = false;
  smtp_rej.error = rej.error;
  report.checks = {rej, smtp_rej};
  report.recommended = Recommend(report.discovery.candidates, report.checks, {});
  std::string t = SetupText(report);
  EXPECT_TRUE(Has(t, "OAUTH2 REQUIRED")) << t;
  EXPECT_FALSE(Has(t, "PASSWORD REJECTED -")) << t;
  rej.error->reason = "app-password-required";
  smtp_rej.error = rej.error;
  report.checks = {rej, smtp_rej};
  EXPECT_TRUE(Has(SetupText(report), "APP PASSWORD REQUIRED"));
}

TEST(SetupTextTest, AdviceForEveryKind) {
  for (auto kind :
       {ErrorKind::kDns, ErrorKind::kRefused, ErrorKind::kTimeout, ErrorKind::kTls,
        ErrorKind::kCertificate, ErrorKind::kStartTlsMissing, ErrorKind::kAuth,
        ErrorKind::kAuthMechanism, ErrorKind::kCleartextRefused, ErrorKind::kProtocol}) {
    EXPECT_FALSE(AdviceFor(Error::Make(kind, "x")).empty()) << ToString(kind);
  }
  EXPECT_TRUE(
      Has(AdviceFor(Error::Make(ErrorKind::kTimeout, "x", "", Phase::kConnect)), "firewall"));
  EXPECT_TRUE(Has(AdviceFor(Error::Make(ErrorKind::kCleartextRefused, "x")), "--allow-plaintext"));
  // A failing DNS server says nothing about the name.
  Error servfail = Error::Make(ErrorKind::kDns, "x", "", Phase::kResolve);
  servfail.dns = DnsOutcome::kResolverFailure;
  EXPECT_TRUE(Has(AdviceFor(servfail), "--dns-server"));
  servfail.dns = DnsOutcome::kNxDomain;
  EXPECT_TRUE(Has(AdviceFor(servfail), "does not exist"));
  // Neither a usage error nor a server that was never tried needs advice.
  EXPECT_TRUE(AdviceFor(Error::Make(ErrorKind::kNotTried, "x", "", Phase::kSkipped)).empty());
  EXPECT_TRUE(AdviceFor(Error::Make(ErrorKind::kUsage, "x")).empty());
}

}  // namespace
}  // namespace mailscout
