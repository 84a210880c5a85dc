// `mailscout setup` end to end inside the fake Internet: the right answer for
// each kind of domain, with the scenarios demo, basic, security, sources and
// the setup-* ones (tests/world/scenarios).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "report/setup_json.h"
#include "run_mailscout.h"

namespace mailscout {
namespace {

using e2e::RunMailscout;
using e2e::RunResult;

// Sanitizer builds run everything slower; time limits get this much slack.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kSlack = 1.0;
#else
constexpr double kSlack = 0.0;
#endif

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// setup --format json for address; the report and the run.
struct Json {
  RunResult run;
  SetupReport report;
};

Json SetupJson(const std::string& address, const std::optional<std::string>& password,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"setup", address, "--format", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Json j;
  j.run = RunMailscout(args, password);
  Result<SetupReport> parsed = SetupFromJsonText(j.run.out);
  if (!parsed.ok()) {
    ADD_FAILURE() << "not a setup report: " << parsed.error().message << "\n"
                  << j.run.out << j.run.err;
    return j;
  }
  j.report = std::move(parsed.value());
  return j;
}

void ExpectSetting(const std::optional<Setting>& s, Protocol p, const std::string& host,
                   uint16_t port, Security sec, const std::string& user, bool verified = true) {
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->protocol, p);
  EXPECT_EQ(s->host, host);
  EXPECT_EQ(s->port, port);
  EXPECT_EQ(s->security, sec);
  EXPECT_EQ(s->username, user);
  EXPECT_EQ(s->verified, verified);
}

const CheckResult* FindCheck(const SetupReport& r, uint16_t port, const std::string& host) {
  for (const auto& c : r.checks) {
    if (c.port == port && c.host == host) return &c;
  }
  return nullptr;
}

TEST(SetupE2eTest, DemoCardIsReadyAndFast) {
  RunResult run = RunMailscout({"setup", "demo@demo.example"}, std::string("demo-password"));
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_TRUE(Has(run.out, "READY")) << run.out;
  EXPECT_TRUE(Has(run.out, "  Server          imap.demo.example\n"));
  EXPECT_TRUE(Has(run.out, "  Security        SSL/TLS\n"));
  EXPECT_TRUE(Has(run.out, "VERIFIED (login succeeded)"));
  EXPECT_TRUE(Has(run.out, "Where the settings came from"));
  EXPECT_TRUE(Has(run.out, "autoconfig: https://autoconfig.demo.example/"));
  EXPECT_LT(run.seconds, 3.0 + kSlack);
}

// One domain per discovery source; each names a host nothing else names.
TEST(SetupE2eTest, EachSourceGivesTheRightAnswer) {
  struct Case {
    std::string domain, incoming_host, outgoing_host;
    Source source;
  } cases[] = {
      {"srv-only.example", "imap-q4zt9p.srv-only.example", "smtp-q4zt9p.srv-only.example",
       Source::kSrv},
      {"autoconfig-only.example", "imap-ac7j5m.autoconfig-only.example",
       "imap-ac7j5m.autoconfig-only.example", Source::kAutoconfig},
      {"http-autoconfig-only.example", "imap-hc3t8w.http-autoconfig-only.example",
       "imap-hc3t8w.http-autoconfig-only.example", Source::kAutoconfig},
      {"wellknown-only.example", "imap-wk2d6r.wellknown-only.example",
       "imap-wk2d6r.wellknown-only.example", Source::kWellKnown},
      {"autodiscover-only.example", "imap-ad8n1v.autodiscover-only.example",
       "imap-ad8n1v.autodiscover-only.example", Source::kAutodiscover},
      {"autodiscover-redirect.example", "imap-ar3c7w.autodiscover-redirect.example",
       "imap-ar3c7w.autodiscover-redirect.example", Source::kAutodiscover},
      {"ispdb-only.example", "imap-is6k4f.ispdb-only.example", "imap-is6k4f.ispdb-only.example",
       Source::kIspdb},
      {"setup-mx.example", "imap.setup-mxhost.example", "smtp.setup-mxhost.example", Source::kMx},
      {"basic.example", "mail.basic.example", "mail.basic.example", Source::kGuess},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.domain);
    std::string user = "user@" + c.domain;
    std::string pw = c.domain == "setup-mx.example" ? "setupmxpw" : "sourcespw";
    if (c.domain == "basic.example") {
      user = "alice@basic.example";
      pw = "alicepw";
    }
    Json j = SetupJson(user, pw);
    EXPECT_EQ(j.run.status, 0) << j.run.err;
    ExpectSetting(j.report.recommended.incoming, Protocol::kImap, c.incoming_host, 993,
                  Security::kTls, user);
    ExpectSetting(j.report.recommended.outgoing, Protocol::kSmtp, c.outgoing_host, 465,
                  Security::kTls, user);
    ASSERT_TRUE(j.report.recommended.incoming);
    EXPECT_EQ(j.report.recommended.incoming->source, c.source);
  }
}

TEST(SetupE2eTest, StartTlsOnlyServer) {
  Json j = SetupJson("user@starttls-only.example", std::string("starttlspw"));
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kImap, "mail.starttls-only.example", 143,
                Security::kStartTls, "user@starttls-only.example");
  ExpectSetting(j.report.recommended.outgoing, Protocol::kSmtp, "mail.starttls-only.example", 587,
                Security::kStartTls, "user@starttls-only.example");
}

// 993 has a certificate for another name, 143 STARTTLS a good one.
TEST(SetupE2eTest, BadCertificateOnImplicitTlsRecommendsStartTls) {
  Json j = SetupJson("user@setup-certs.example", std::string("setupcertspw"));
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kImap, "imap.setup-certs.example", 143,
                Security::kStartTls, "user@setup-certs.example");
  const CheckResult* bad = FindCheck(j.report, 993, "imap.setup-certs.example");
  ASSERT_NE(bad, nullptr);
  ASSERT_TRUE(bad->error);
  EXPECT_EQ(bad->error->kind, ErrorKind::kCertificate);
  EXPECT_FALSE(bad->login_attempted);  // no password to a server we cannot trust
  RunResult card = RunMailscout({"setup", "user@setup-certs.example"}, std::string("setupcertspw"));
  EXPECT_TRUE(Has(card.out, "Problems found")) << card.out;
  EXPECT_TRUE(Has(card.out, "imap.setup-certs.example port 993 (SSL/TLS)"));
  EXPECT_TRUE(Has(card.out, "wrong-name.invalid"));
  EXPECT_TRUE(Has(card.out, "certificate"));
}

TEST(SetupE2eTest, LoginByLocalPart) {
  Json j = SetupJson("bob@basic.example", std::string("bobpw"));
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kImap, "mail.basic.example", 993,
                Security::kTls, "bob");
  ExpectSetting(j.report.recommended.outgoing, Protocol::kSmtp, "mail.basic.example", 465,
                Security::kTls, "bob");
  // The full address was rejected once, on the best server; every other
  // check of that server used the form that worked.
  int rejected_full = 0;
  for (const auto& c : j.report.checks) {
    if (c.username == "bob@basic.example" && c.error && c.error->kind == ErrorKind::kAuth) {
      ++rejected_full;
    }
  }
  EXPECT_EQ(rejected_full, 1);
  ASSERT_EQ(j.report.login_policy.realms.size(), 1u);
  EXPECT_EQ(j.report.login_policy.realms[0].failed, 1);
  EXPECT_EQ(j.report.login_policy.realms[0].accepted, "bob");
}

TEST(SetupE2eTest, Pop3Only) {
  Json j = SetupJson("user@setup-pop3.example", std::string("setuppop3pw"));
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kPop3, "mail.setup-pop3.example", 995,
                Security::kTls, "user@setup-pop3.example");
}

TEST(SetupE2eTest, PreferPop3) {
  Json j = SetupJson("alice@basic.example", std::string("alicepw"), {"--prefer", "pop3"});
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kPop3, "mail.basic.example", 995,
                Security::kTls, "alice@basic.example");
}

// 993 is a tarpit and 465 drops the SYN; 143 and 587 work. The answer must
// still be right, and arrive once the broken ports' own deadlines (5 s)
// have passed, not later.
TEST(SetupE2eTest, TarpitAndFirewallOnPreferredPorts) {
  Json j = SetupJson("user@setup-faults.example", std::string("setupfaultspw"));
  EXPECT_EQ(j.run.status, 0) << j.run.err;
  ExpectSetting(j.report.recommended.incoming, Protocol::kImap, "imap.setup-faults.example", 143,
                Security::kStartTls, "user@setup-faults.example");
  ExpectSetting(j.report.recommended.outgoing, Protocol::kSmtp, "smtp.setup-faults.example", 587,
                Security::kStartTls, "user@setup-faults.example");
  EXPECT_LT(j.run.seconds, 6.0 + kSlack);  // the issue's goal
  const CheckResult* tarpit = FindCheck(j.report, 993, "imap.setup-faults.example");
  ASSERT_NE(tarpit, nullptr);
  ASSERT_TRUE(tarpit->error);
  EXPECT_EQ(tarpit->error->kind, ErrorKind::kTimeout);
  const CheckResult* dropped = FindCheck(j.report, 465, "smtp.setup-faults.example");
  ASSERT_NE(dropped, nullptr);
  ASSERT_TRUE(dropped->error);
  EXPECT_EQ(dropped->error->kind, ErrorKind::kTimeout);
  EXPECT_EQ(dropped->error->phase, Phase::kConnect);
  // With shorter phases the same answer comes sooner: the wait is the
  // broken ports' own deadline, nothing else.
  Json quick = SetupJson("user@setup-faults.example", std::string("setupfaultspw"),
                         {"--phase-timeout", "1.5"});
  EXPECT_EQ(quick.run.status, 0);
  EXPECT_LT(quick.run.seconds, 2.8 + kSlack);
  ExpectSetting(quick.report.recommended.incoming, Protocol::kImap, "imap.setup-faults.example",
                143, Security::kStartTls, "user@setup-faults.example");
}

TEST(SetupE2eTest, WrongPassword) {
  Json j = SetupJson("alice@basic.example", std::string("not-the-password"));
  EXPECT_EQ(j.run.status, 1);
  ASSERT_TRUE(j.report.recommended.incoming);
  EXPECT_FALSE(j.report.recommended.incoming->verified);
  bool auth = false;
  for (const auto& c : j.report.checks) auth |= c.error && c.error->kind == ErrorKind::kAuth;
  EXPECT_TRUE(auth);
  // Two failed logins on the best server (the full address, the local part),
  // then nothing else: the password is wrong.
  int failed = 0;
  bool wrong = false;
  for (const LoginRealm& realm : j.report.login_policy.realms) {
    failed += realm.failed;
    wrong |= realm.wrong_password;
  }
  EXPECT_EQ(failed, 2);
  EXPECT_TRUE(wrong);
  EXPECT_FALSE(j.report.login_policy.stopped.empty());
  RunResult card = RunMailscout({"setup", "alice@basic.example"}, std::string("not-the-password"));
  EXPECT_EQ(card.status, 1);
  EXPECT_TRUE(Has(card.out, "PASSWORD REJECTED")) << card.out;
  EXPECT_TRUE(Has(card.out, "Check the password"));
}

// New lines of a Dovecot log since `from` bytes.
std::string LogSince(const std::string& server, size_t from) {
  const char* logs = std::getenv("WORLD_LOGS");
  if (logs == nullptr) return "";
  std::string text = e2e::ReadFile(std::string(logs) + "/" + server + ".log");
  return from < text.size() ? text.substr(from) : "";
}

TEST(SetupE2eTest, CleartextOnlyServerNeedsAllowPlaintext) {
  ASSERT_NE(std::getenv("WORLD_LOGS"), nullptr);
  size_t before =
      e2e::ReadFile(std::string(std::getenv("WORLD_LOGS")) + "/mail.cleartext.example.log").size();
  Json j = SetupJson("user@cleartext.example", std::string("cleartextpw"));
  EXPECT_EQ(j.run.status, 1);
  EXPECT_FALSE(j.report.recommended.incoming);
  EXPECT_FALSE(j.report.recommended.outgoing);
  std::string log = LogSince("mail.cleartext.example", before);
  EXPECT_FALSE(Has(log, "cleartextpw")) << log;
  EXPECT_FALSE(Has(log, "client in: AUTH")) << log;  // no login attempted at all
  bool starttls_missing = false;
  for (const auto& c : j.report.checks) {
    starttls_missing |= c.error && c.error->kind == ErrorKind::kStartTlsMissing;
  }
  EXPECT_TRUE(starttls_missing);

  Json allowed =
      SetupJson("user@cleartext.example", std::string("cleartextpw"), {"--allow-plaintext"});
  EXPECT_EQ(allowed.run.status, 0) << allowed.run.err;
  ExpectSetting(allowed.report.recommended.incoming, Protocol::kImap, "mail.cleartext.example", 143,
                Security::kPlain, "user@cleartext.example");
  ExpectSetting(allowed.report.recommended.outgoing, Protocol::kSmtp, "mail.cleartext.example", 587,
                Security::kPlain, "user@cleartext.example");
}

TEST(SetupE2eTest, WithoutPasswordChecksUpToLoginAndSaysSo) {
  RunResult run = RunMailscout({"setup", "alice@basic.example", "--no-prompt"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(Has(run.out, "no password was given")) << run.out;
  EXPECT_TRUE(Has(run.out, "  Server          mail.basic.example\n"));
  EXPECT_TRUE(Has(run.out, "  Username        alice@basic.example\n"));
  Json j = SetupJson("alice@basic.example", std::nullopt, {"--no-prompt"});
  EXPECT_FALSE(j.report.password_given);
  for (const auto& c : j.report.checks) EXPECT_FALSE(c.login_attempted);
}

TEST(SetupE2eTest, ExitStatuses) {
  EXPECT_EQ(RunMailscout({"setup"}).status, 2);
  EXPECT_EQ(RunMailscout({"setup", "not-an-address"}).status, 2);
  EXPECT_EQ(RunMailscout({"setup", "a@b.example", "--format", "outlook"}).status, 2);
  EXPECT_EQ(RunMailscout({"setup", "a@b.example", "--prefer", "smtp"}).status, 2);
  EXPECT_EQ(RunMailscout({"setup", "a@b.example", "--timeout", "-1"}).status, 2);
  EXPECT_EQ(RunMailscout({"setup", "a@b.example", "--phase-timeout", "x"}).status, 2);
  RunResult nothing = RunMailscout({"setup", "nobody@nothing-here.example"}, std::string("pw"));
  EXPECT_EQ(nothing.status, 1);
  EXPECT_TRUE(Has(nothing.out, "NOTHING WORKS")) << nothing.out;
  EXPECT_EQ(RunMailscout({"setup", "demo@demo.example"}, std::string("demo-password")).status, 0);
}

}  // namespace
}  // namespace mailscout
