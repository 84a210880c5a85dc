// The tester against real Dovecot, dnsmasq and fault/hostile servers in the
// fake Internet (scenarios basic, certs, faults, security, hostile-smoke,
// tester-mechs). Every error kind comes from a real situation; every
// protocol logs in with every security type; every SASL mechanism works; the
// Dovecot log proves that no password reached a server when mailscout
// refused to send it in clear. Slow cases run in parallel (CheckAll) with
// short timeouts to keep the suite fast.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dns/cares_resolver.h"
#include "net/tls.h"
#include "protocols/base64.h"
#include "verify/tester.h"

namespace mailscout {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string DovecotLog(const std::string& server) {
  const char* logs = std::getenv("WORLD_LOGS");
  EXPECT_NE(logs, nullptr) << "not running inside the world";
  return logs ? ReadFile(std::string(logs) + "/" + server + ".log") : "";
}

class TesterWorldTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = CaresResolver::Create(ResolverOptions{});
    ASSERT_TRUE(r.ok()) << r.error().message;
    resolver_ = std::move(r.value()).release();
    tls_ = new TlsClient(TlsOptions{});  // the world CA is in the system bundle
    insecure_ = new TlsClient(TlsOptions{"", true});
  }
  static void TearDownTestSuite() {
    delete insecure_;
    delete tls_;
    delete resolver_;
  }

  static CheckRequest Req(Protocol p, const std::string& host, Security s,
                          const std::string& user = {}, std::optional<std::string> pw = {}) {
    CheckRequest r;
    r.protocol = p;
    r.host = host;
    r.security = s;
    r.username = user;
    r.password = std::move(pw);
    r.transcript = true;
    r.timeouts = PhaseTimeouts::All(Millis(3000));
    return r;
  }

  static CheckResult Check(const CheckRequest& r, bool insecure = false) {
    return Tester(*resolver_, insecure ? *insecure_ : *tls_).Check(r);
  }
  static std::vector<CheckResult> CheckAll(const std::vector<CheckRequest>& rs) {
    return Tester(*resolver_, *tls_).CheckAll(rs, rs.size());
  }

  static std::string Describe(const CheckResult& c) {
    std::string out = std::string(ToString(c.protocol)) + " " + c.host + ":" +
                      std::to_string(c.port) + " " + std::string(ToString(c.security));
    if (c.error) out += " -> " + std::string(ToString(c.error->kind)) + ": " + c.error->message;
    return out;
  }
  static void ExpectKind(const CheckResult& c, ErrorKind kind,
                         std::optional<Phase> phase = std::nullopt) {
    ASSERT_TRUE(c.error.has_value()) << Describe(c);
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(ToString(c.error->kind), ToString(kind)) << Describe(c);
    if (phase) {
      EXPECT_EQ(c.error->phase, *phase) << Describe(c);
    }
  }

  static CaresResolver* resolver_;
  static TlsClient* tls_;
  static TlsClient* insecure_;
};

CaresResolver* TesterWorldTest::resolver_ = nullptr;
TlsClient* TesterWorldTest::tls_ = nullptr;
TlsClient* TesterWorldTest::insecure_ = nullptr;

TEST_F(TesterWorldTest, EachProtocolLogsInWithEachSecurityType) {
  std::vector<CheckRequest> requests;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    for (Security s : {Security::kTls, Security::kStartTls}) {
      requests.push_back(Req(p, "mail.basic.example", s, "alice@basic.example", "alicepw"));
    }
    CheckRequest plain =
        Req(p, "mail.cleartext.example", Security::kPlain, "user@cleartext.example", "cleartextpw");
    plain.allow_plaintext = true;
    requests.push_back(plain);
  }
  for (const CheckResult& c : CheckAll(requests)) {
    EXPECT_TRUE(c.ok) << Describe(c);
    EXPECT_TRUE(c.login_ok) << Describe(c);
    EXPECT_EQ(c.port, DefaultPort(c.protocol, c.security));
    EXPECT_EQ(c.tls.has_value(), c.security != Security::kPlain) << Describe(c);
    if (c.tls) {
      EXPECT_TRUE(c.tls->chain_ok && c.tls->name_ok);
      EXPECT_EQ(c.tls->version.rfind("TLSv1.", 0), 0u);
      EXPECT_FALSE(c.tls->cipher.empty());
      EXPECT_EQ(c.tls->sans, (std::vector<std::string>{c.host}));
    }
    EXPECT_FALSE(c.auth_used.empty());
  }
  const std::string log = DovecotLog("mail.basic.example");
  EXPECT_NE(log.find("imap-login: Info: Login: user=<alice@basic.example>"), std::string::npos);
  EXPECT_NE(log.find("pop3-login: Info: Login: user=<alice@basic.example>"), std::string::npos);
  EXPECT_NE(log.find("submission-login: Info: Login: user=<alice@basic.example>"),
            std::string::npos);
}

TEST_F(TesterWorldTest, EveryMechanismOnEveryProtocol) {
  std::vector<CheckRequest> requests;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    for (const char* m : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", ""}) {
      CheckRequest r = Req(p, "mail.mechs.tester.example", Security::kTls,
                           "carol@mechs.tester.example", "carol-Pw-7");
      r.mechanism = m;
      requests.push_back(r);
    }
  }
  CheckRequest imap_login =
      Req(Protocol::kImap, "mail.mechs.tester.example", Security::kStartTls, "dave", "dave-Pw-8");
  imap_login.mechanism = "PASSWORD";
  requests.push_back(imap_login);
  CheckRequest pop_user = imap_login;
  pop_user.protocol = Protocol::kPop3;
  requests.push_back(pop_user);

  auto results = CheckAll(requests);
  for (size_t i = 0; i < results.size(); ++i) {
    const CheckResult& c = results[i];
    EXPECT_TRUE(c.ok) << Describe(c) << " mechanism " << requests[i].mechanism;
    if (!requests[i].mechanism.empty() && requests[i].mechanism != "PASSWORD") {
      EXPECT_EQ(c.auth_used, requests[i].mechanism);
    } else if (requests[i].mechanism.empty()) {
      EXPECT_EQ(c.auth_used, "SCRAM-SHA-256") << "the strongest one";
    }
  }
  EXPECT_EQ(results[results.size() - 2].auth_used, "LOGIN (IMAP command)");
  EXPECT_EQ(results.back().auth_used, "USER/PASS");
  const std::string log = DovecotLog("mail.mechs.tester.example");
  for (const char* m : {"PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"}) {
    EXPECT_NE(log.find(std::string("method=") + m + ","), std::string::npos) << m;
  }
}

TEST_F(TesterWorldTest, LocalPartAndFullAddressUsernames) {
  auto results = CheckAll({
      Req(Protocol::kImap, "mail.basic.example", Security::kTls, "bob", "bobpw"),
      Req(Protocol::kImap, "mail.basic.example", Security::kTls, "bob@basic.example", "bobpw"),
      Req(Protocol::kImap, "mail.basic.example", Security::kTls, "alice@basic.example", "alicepw"),
      Req(Protocol::kSmtp, "mail.basic.example", Security::kTls, "alice", "alicepw"),
  });
  EXPECT_TRUE(results[0].ok) << Describe(results[0]);
  ExpectKind(results[1], ErrorKind::kAuth, Phase::kAuth);
  EXPECT_TRUE(results[2].ok) << Describe(results[2]);
  ExpectKind(results[3], ErrorKind::kAuth, Phase::kAuth);
}

TEST_F(TesterWorldTest, WrongPasswordIsAuthWithTheServersWords) {
  auto results = CheckAll({
      Req(Protocol::kImap, "mail.basic.example", Security::kTls, "alice@basic.example", "nope"),
      Req(Protocol::kPop3, "mail.basic.example", Security::kStartTls, "alice@basic.example",
          "nope"),
      Req(Protocol::kSmtp, "mail.basic.example", Security::kStartTls, "alice@basic.example",
          "nope"),
  });
  for (const auto& c : results) ExpectKind(c, ErrorKind::kAuth, Phase::kAuth);
  EXPECT_EQ(results[0].error->message,
            "The server rejected the password for alice@basic.example (IMAP says: "
            "[AUTHENTICATIONFAILED] Authentication failed.)");
  EXPECT_NE(results[1].error->server_reply.find("-ERR"), std::string::npos);
  EXPECT_EQ(results[2].error->server_reply.rfind("535", 0), 0u) << results[2].error->server_reply;
  EXPECT_NE(DovecotLog("mail.basic.example").find("Password mismatch (given password: nope)"),
            std::string::npos);
}

TEST_F(TesterWorldTest, CertificateProblemsSayWhich) {
  const std::string user = "user@certs.example";
  auto results = CheckAll({
      Req(Protocol::kImap, "wrongname.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "wrongname.certs.example", Security::kStartTls, user, "certspw"),
      Req(Protocol::kSmtp, "expired.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "selfsigned.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "unknownca.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "notyet.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "split.certs.example", Security::kTls, user, "certspw"),
      Req(Protocol::kImap, "split.certs.example", Security::kStartTls, user, "certspw"),
  });
  const char* expected[] = {"issued for wrong-name.invalid, not wrongname.certs.example",
                            "issued for wrong-name.invalid, not wrongname.certs.example",
                            "expired on",
                            "self-signed",
                            "does not trust",
                            "not valid before",
                            "not split.certs.example"};
  for (size_t i = 0; i < 7; ++i) {
    ExpectKind(results[i], ErrorKind::kCertificate, Phase::kTls);
    if (results[i].error) {
      EXPECT_NE(results[i].error->message.find(expected[i]), std::string::npos)
          << Describe(results[i]);
    }
    ASSERT_TRUE(results[i].tls.has_value()) << Describe(results[i]);
    EXPECT_FALSE(results[i].login_attempted);
  }
  EXPECT_TRUE(results[7].ok) << Describe(results[7]);  // 993 bad, 143 good
  // No password reached a server with a bad certificate.
  for (const char* server : {"wrongname.certs.example", "expired.certs.example",
                             "selfsigned.certs.example", "split-bad"}) {
    EXPECT_EQ(DovecotLog(server).find("client in: AUTH"), std::string::npos) << server;
  }
}

TEST_F(TesterWorldTest, InsecureTlsLogsInAndStillReports) {
  CheckResult c = Check(Req(Protocol::kImap, "expired.certs.example", Security::kTls,
                            "user@certs.example", "certspw"),
                        /*insecure=*/true);
  EXPECT_TRUE(c.ok) << Describe(c);
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_FALSE(c.tls->chain_ok);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("expired"), std::string::npos);
}

TEST_F(TesterWorldTest, TransportMismatches) {
  auto results = CheckAll({
      // STARTTLS-only server asked for implicit TLS: nothing on 993.
      Req(Protocol::kImap, "mail.starttls-only.example", Security::kTls,
          "user@starttls-only.example", "starttlspw"),
      Req(Protocol::kImap, "mail.starttls-only.example", Security::kStartTls,
          "user@starttls-only.example", "starttlspw"),
      // TLS-only server asked for STARTTLS: nothing on 143/587.
      Req(Protocol::kSmtp, "mail.tls-only.example", Security::kStartTls, "user@tls-only.example",
          "tlspw"),
      Req(Protocol::kSmtp, "mail.tls-only.example", Security::kTls, "user@tls-only.example",
          "tlspw"),
      // Cleartext-only server asked for STARTTLS.
      Req(Protocol::kImap, "mail.cleartext.example", Security::kStartTls, "user@cleartext.example",
          "cleartextpw"),
      Req(Protocol::kPop3, "mail.cleartext.example", Security::kStartTls, "user@cleartext.example",
          "cleartextpw"),
      Req(Protocol::kSmtp, "mail.cleartext.example", Security::kStartTls, "user@cleartext.example",
          "cleartextpw"),
  });
  ExpectKind(results[0], ErrorKind::kRefused, Phase::kConnect);
  EXPECT_TRUE(results[1].ok) << Describe(results[1]);
  ExpectKind(results[2], ErrorKind::kRefused);
  EXPECT_TRUE(results[3].ok) << Describe(results[3]);
  for (size_t i = 4; i < 7; ++i) {
    ExpectKind(results[i], ErrorKind::kStartTlsMissing, Phase::kStartTls);
    EXPECT_FALSE(results[i].capabilities.empty()) << Describe(results[i]);
  }
  // Implicit TLS against a plain port.
  CheckRequest tls_on_plain = Req(Protocol::kImap, "mail.basic.example", Security::kTls);
  tls_on_plain.port = 143;
  ExpectKind(Check(tls_on_plain), ErrorKind::kTls, Phase::kTls);
}

TEST_F(TesterWorldTest, CleartextRefusedAndTheServerNeverSawThePassword) {
  std::vector<CheckRequest> requests;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    requests.push_back(
        Req(p, "nosend.tester.example", Security::kPlain, "erin@tester.example", "never-Sent-9"));
  }
  for (const CheckResult& c : CheckAll(requests)) {
    ExpectKind(c, ErrorKind::kCleartextRefused, Phase::kAuth);
    EXPECT_FALSE(c.login_attempted);
    EXPECT_FALSE(c.auth_mechanisms.empty()) << "capabilities are still reported";
  }
  const std::string log = DovecotLog("nosend.tester.example");
  EXPECT_NE(log.find("no auth attempts"), std::string::npos) << "the server was reached";
  EXPECT_EQ(log.find("client in: AUTH"), std::string::npos) << log;
  EXPECT_EQ(log.find("never-Sent-9"), std::string::npos);
  EXPECT_EQ(log.find(Base64Encode("never-Sent-9")), std::string::npos);
  EXPECT_EQ(log.find("erin@tester.example"), std::string::npos);
}

TEST_F(TesterWorldTest, AllowPlaintextSendsItAndDovecotSeesNoTls) {
  CheckRequest r = Req(Protocol::kPop3, "mail.cleartext.example", Security::kPlain,
                       "user@cleartext.example", "cleartextpw");
  r.allow_plaintext = true;
  CheckResult c = Check(r);
  ASSERT_TRUE(c.ok) << Describe(c);
  const std::string log = DovecotLog("mail.cleartext.example");
  const size_t login = log.find("pop3-login: Info: Login: user=<user@cleartext.example>");
  ASSERT_NE(login, std::string::npos);
  const std::string line = log.substr(login, log.find('\n', login) - login);
  EXPECT_EQ(line.find("TLS"), std::string::npos) << line;
}

TEST_F(TesterWorldTest, LoginDisabledWithoutTlsIsAuthMechanism) {
  CheckRequest r = Req(Protocol::kImap, "mail.basic.example", Security::kPlain,
                       "alice@basic.example", "alicepw");
  r.allow_plaintext = true;
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kAuthMechanism, Phase::kAuth);
  EXPECT_NE(c.error->message.find("LOGINDISABLED"), std::string::npos) << Describe(c);
}

TEST_F(TesterWorldTest, NetworkFaultsCostNoMoreThanTheirPhaseTimeout) {
  auto fault = [](Protocol p, const std::string& host, Security s, int phase_ms) {
    CheckRequest r = Req(p, host, s, "user@faults.example", "faultspw");
    r.timeouts = PhaseTimeouts::All(Millis(phase_ms));
    return r;
  };
  const auto start = Clock::now();
  auto results = CheckAll({
      fault(Protocol::kImap, "tarpit.faults.example", Security::kTls, 1000),
      fault(Protocol::kSmtp, "dropped.faults.example", Security::kTls, 1000),
      fault(Protocol::kImap, "refused.faults.example", Security::kStartTls, 1000),
      fault(Protocol::kImap, "nxdomain.faults.example", Security::kTls, 1000),
      fault(Protocol::kImap, "slow.faults.example", Security::kTls, 1000),
      fault(Protocol::kImap, "slow.faults.example", Security::kTls, 6000),
  });
  const int64_t elapsed = MsSince(start);
  ExpectKind(results[0], ErrorKind::kTimeout, Phase::kTls);
  EXPECT_NE(results[0].error->message.find("within 1 s"), std::string::npos)
      << Describe(results[0]);
  ExpectKind(results[1], ErrorKind::kTimeout, Phase::kConnect);
  ExpectKind(results[2], ErrorKind::kRefused, Phase::kConnect);
  ExpectKind(results[3], ErrorKind::kDns, Phase::kResolve);
  ExpectKind(results[4], ErrorKind::kTimeout, Phase::kTls);
  EXPECT_TRUE(results[5].ok) << "a slow server that answers is fine: " << Describe(results[5]);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_LT(results[i].ms, 1400) << Describe(results[i]);
  }
  EXPECT_LT(elapsed, 9000);
}

TEST_F(TesterWorldTest, OverallTimeoutBoundsATarpit) {
  CheckRequest r = Req(Protocol::kImap, "tarpit.faults.example", Security::kTls);
  r.timeouts = PhaseTimeouts::All(Millis(5000));
  r.overall = Deadline::AfterMs(1500);
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kTimeout, Phase::kTls);
  EXPECT_LT(c.ms, 1800);
}

TEST_F(TesterWorldTest, HostileServersNeverHangOrCrash) {
  auto hostile = [](const std::string& host, Security s, uint16_t port) {
    CheckRequest r = Req(Protocol::kImap, host, s, "user@hostile.example", "pw");
    r.port = port;
    r.allow_plaintext = true;
    r.timeouts = PhaseTimeouts::All(Millis(1500));
    return r;
  };
  const auto start = Clock::now();
  auto results = CheckAll({
      hostile("endless.mail.hostile.example", Security::kTls, 993),
      hostile("endless.mail.hostile.example", Security::kPlain, 143),
      hostile("drip.mail.hostile.example", Security::kPlain, 143),
      hostile("tlsabort.mail.hostile.example", Security::kTls, 993),
      hostile("capflood.mail.hostile.example", Security::kPlain, 143),
      hostile("literal.mail.hostile.example", Security::kPlain, 143),
      hostile("caps.tester.example", Security::kStartTls, 143),
  });
  ExpectKind(results[0], ErrorKind::kProtocol, Phase::kGreeting);
  ExpectKind(results[1], ErrorKind::kProtocol, Phase::kGreeting);
  ExpectKind(results[2], ErrorKind::kTimeout, Phase::kGreeting);
  ExpectKind(results[3], ErrorKind::kTls, Phase::kTls);
  ExpectKind(results[4], ErrorKind::kProtocol, Phase::kCapabilities);
  ExpectKind(results[5], ErrorKind::kProtocol, Phase::kCapabilities);
  // STARTTLS, capabilities that change after TLS, then a refused login.
  ExpectKind(results[6], ErrorKind::kAuth, Phase::kAuth);
  EXPECT_EQ(results[6].auth_mechanisms, (std::vector<std::string>{"PLAIN", "X-UNKNOWN"}));
  EXPECT_EQ(results[6].capabilities,
            (std::vector<std::string>{"IMAP4rev1", "SASL-IR", "AUTH=PLAIN", "AUTH=X-UNKNOWN"}));
  EXPECT_NE(results[6].error->message.find("scripted refusal"), std::string::npos);
  EXPECT_LT(MsSince(start), 4000);
}

TEST_F(TesterWorldTest, StartTlsAdvertisedThenRefused) {
  std::vector<CheckRequest> requests;
  for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    requests.push_back(
        Req(p, "nostarttls.tester.example", Security::kStartTls, "user@tester.example", "pw"));
  }
  auto results = CheckAll(requests);
  for (const auto& c : results) {
    ExpectKind(c, ErrorKind::kStartTlsMissing, Phase::kStartTls);
    EXPECT_NE(c.error->message.find("refused to start TLS"), std::string::npos) << Describe(c);
    EXPECT_FALSE(c.error->server_reply.empty());
  }
  EXPECT_NE(results[0].error->message.find("TLS is switched off today"), std::string::npos);
  EXPECT_EQ(results[2].error->server_reply, "454 4.7.0 TLS not available due to temporary reason");
}

TEST_F(TesterWorldTest, GreetingVariants) {
  CheckRequest preauth =
      Req(Protocol::kImap, "preauth.tester.example", Security::kPlain, "user@tester.example", "pw");
  CheckResult c = Check(preauth);
  EXPECT_TRUE(c.ok) << Describe(c);
  EXPECT_EQ(c.auth_used, "PREAUTH");
  CheckResult busy = Check(Req(Protocol::kSmtp, "busy.tester.example", Security::kStartTls));
  ExpectKind(busy, ErrorKind::kProtocol, Phase::kGreeting);
  EXPECT_NE(busy.error->message.find("554 5.3.2"), std::string::npos) << Describe(busy);
}

}  // namespace
}  // namespace mailscout
