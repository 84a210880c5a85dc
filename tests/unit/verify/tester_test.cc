// Tester::Check against scripted loopback servers (DialogServer) and a fake
// resolver: hostile servers (no greeting, endless line, slow drip, garbage,
// STARTTLS advertised then refused, data injected before the TLS handshake),
// capabilities that change after TLS, certificate problems, cleartext
// refusal before any credential is sent, deadlines and cancellation.
#include "verify/tester.h"

#include <gtest/gtest.h>

#include <thread>

#include "dialog_server.h"
#include "protocols/base64.h"
#include "support/fake_resolver.h"

namespace mailscout {
namespace {

using Step = DialogStep;
const std::string kCa = std::string(MAILSCOUT_SOURCE_DIR) + "/tests/data/certs/ca.pem";
const std::string kPassword = "Tr0ub4dor&3";

class TesterTest : public ::testing::Test {
 protected:
  TesterTest() : tls_(TlsOptions{kCa, false}), insecure_tls_(TlsOptions{kCa, true}) {
    resolver_.hosts["good.test"] = {"127.0.0.1"};
    resolver_.hosts["other.test"] = {"127.0.0.1"};
    // An unreachable IPv6 address first: the tester must go on to IPv4.
    resolver_.hosts["dual.test"] = {"::1", "127.0.0.1"};
    resolver_.hang.insert("slowdns.test");
  }

  CheckRequest Request(uint16_t port, Security security, Protocol protocol = Protocol::kImap) {
    CheckRequest r;
    r.protocol = protocol;
    r.host = "good.test";
    r.port = port;
    r.security = security;
    r.username = "alice@good.test";
    r.password = kPassword;
    r.transcript = true;
    r.timeouts = PhaseTimeouts::All(Millis(1500));
    return r;
  }

  CheckResult Check(const CheckRequest& r, bool insecure = false) {
    Tester tester(resolver_, insecure ? insecure_tls_ : tls_);
    return tester.Check(r);
  }

  static void ExpectKind(const CheckResult& c, ErrorKind kind,
                         std::optional<Phase> phase = std::nullopt) {
    ASSERT_FALSE(c.ok);
    ASSERT_TRUE(c.error.has_value());
    EXPECT_EQ(ToString(c.error->kind), ToString(kind)) << c.error->message;
    if (phase) {
      EXPECT_EQ(c.error->phase, *phase) << c.error->message;
    }
    EXPECT_FALSE(c.error->message.empty());
  }

  static void ExpectNoPassword(const CheckResult& c, const DialogServer* server = nullptr) {
    auto clean = [](const std::string& s) {
      return s.find(kPassword) == std::string::npos &&
             s.find(Base64Encode(kPassword)) == std::string::npos;
    };
    for (const auto& line : c.transcript) EXPECT_TRUE(clean(line)) << line;
    if (c.error) {
      EXPECT_TRUE(clean(c.error->message));
      EXPECT_TRUE(clean(c.error->server_reply));
    }
    if (server) {
      for (const auto& line : server->received()) EXPECT_TRUE(clean(line)) << line;
    }
  }

  FakeResolver resolver_;
  TlsClient tls_;
  TlsClient insecure_tls_;
};

std::vector<Step> ImapLogoutSteps() {
  return {Step::Expect("a"), Step::Send("* BYE bye"), Step::Send("{tag} OK Logout completed")};
}

TEST_F(TesterTest, ImplicitTlsLoginWithPlain) {
  std::vector<Step> script = {
      Step::Send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=LOGIN] ready"),
      Step::Expect("a1 AUTHENTICATE PLAIN "),
      Step::Send("{tag} OK [CAPABILITY IMAP4rev1 MOVE] Logged in")};
  for (auto& s : ImapLogoutSteps()) script.push_back(s);
  DialogServer server(script, /*implicit_tls=*/true);
  CheckResult c = Check(Request(server.port(), Security::kTls));
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_TRUE(c.login_ok);
  EXPECT_EQ(c.auth_used, "PLAIN");
  EXPECT_EQ(c.auth_reply, "a1 OK [CAPABILITY IMAP4rev1 MOVE] Logged in");
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_TRUE(c.tls->chain_ok);
  EXPECT_TRUE(c.tls->name_ok);
  EXPECT_FALSE(c.tls->version.empty());
  // Capabilities before login, not the post-login list of the OK.
  EXPECT_EQ(c.auth_mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(c.address, "127.0.0.1");
  std::vector<Phase> phases;
  for (const auto& t : c.timings) phases.push_back(t.phase);
  for (Phase p : {Phase::kResolve, Phase::kConnect, Phase::kTls, Phase::kGreeting, Phase::kAuth,
                  Phase::kLogout}) {
    EXPECT_NE(std::find(phases.begin(), phases.end(), p), phases.end()) << ToString(p);
  }
  EXPECT_TRUE(server.mismatches().empty()) << server.mismatches().front();
  // The PLAIN message really went to the server, and nowhere else.
  const auto received = server.received();
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received[0], "a1 AUTHENTICATE PLAIN " +
                             Base64Encode(std::string("\0alice@good.test\0", 17) + kPassword));
  ExpectNoPassword(c);
  bool redacted = false;
  for (const auto& line : c.transcript) redacted |= line == "C: a1 AUTHENTICATE PLAIN ***";
  EXPECT_TRUE(redacted);
}

TEST_F(TesterTest, CapabilitiesChangeAfterStartTls) {
  std::vector<Step> script = {
      Step::Send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready"),
      Step::Expect("a1 STARTTLS"),
      Step::Send("{tag} OK Begin TLS negotiation now"),
      Step::StartTls(),
      Step::Expect("a2 CAPABILITY"),
      Step::Send("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=CRAM-MD5"),
      Step::Send("{tag} OK done"),
      Step::Expect("a3 AUTHENTICATE CRAM-MD5"),
      Step::Send("+ " + Base64Encode("<1.2@good.test>")),
      Step::Expect(Base64Encode("alice@good.test ").substr(0, 16)),
      Step::Send("a3 OK Logged in")};
  for (auto& s : ImapLogoutSteps()) script.push_back(s);
  DialogServer server(script);
  CheckResult c = Check(Request(server.port(), Security::kStartTls));
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_EQ(c.auth_used, "CRAM-MD5");
  EXPECT_EQ(c.capabilities, (std::vector<std::string>{"IMAP4rev1", "AUTH=PLAIN", "AUTH=CRAM-MD5"}));
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_TRUE(server.mismatches().empty()) << server.mismatches().front();
  ExpectNoPassword(c, &server);
}

TEST_F(TesterTest, StartTlsAdvertisedThenRefused) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready"),
                       Step::Expect("a1 STARTTLS"), Step::Send("{tag} NO TLS is broken today"),
                       Step::Expect("a2 LOGOUT"), Step::Send("{tag} OK bye")});
  CheckResult c = Check(Request(server.port(), Security::kStartTls));
  ExpectKind(c, ErrorKind::kStartTlsMissing);
  EXPECT_EQ(c.error->server_reply, "a1 NO TLS is broken today");
  EXPECT_NE(c.error->message.find("TLS is broken today"), std::string::npos) << c.error->message;
  ExpectNoPassword(c, &server);
}

TEST_F(TesterTest, StartTlsNotOffered) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready"),
                       Step::Expect("a1 LOGOUT"), Step::Send("{tag} OK bye")});
  CheckResult c = Check(Request(server.port(), Security::kStartTls));
  ExpectKind(c, ErrorKind::kStartTlsMissing);
  EXPECT_NE(c.error->message.find("does not offer STARTTLS"), std::string::npos);
  EXPECT_EQ(c.capabilities, (std::vector<std::string>{"IMAP4rev1", "AUTH=PLAIN"}));
  for (const auto& line : server.received()) {
    EXPECT_EQ(line.find("AUTHENTICATE"), std::string::npos) << line;
  }
}

TEST_F(TesterTest, DataInjectedBeforeTlsHandshakeIsRefused) {
  DialogServer server(
      {Step::Send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready"), Step::Expect("a1 STARTTLS"),
       Step::Raw("a1 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] x\r\n"), Step::Hang()});
  CheckResult c = Check(Request(server.port(), Security::kStartTls));
  ExpectKind(c, ErrorKind::kProtocol, Phase::kStartTls);
  ExpectNoPassword(c, &server);
}

TEST_F(TesterTest, CleartextRefusedBeforeAnyCredentialIsSent) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] ready"),
                       Step::Expect("a1 LOGOUT"), Step::Send("{tag} OK bye")});
  CheckResult c = Check(Request(server.port(), Security::kPlain));
  ExpectKind(c, ErrorKind::kCleartextRefused);
  EXPECT_FALSE(c.login_attempted);
  // The capabilities are still reported.
  EXPECT_EQ(c.auth_mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(server.received(), (std::vector<std::string>{"a1 LOGOUT"}));
  ExpectNoPassword(c, &server);
}

TEST_F(TesterTest, AllowPlaintextLogsInWithoutTls) {
  std::vector<Step> script = {Step::Send("* OK [CAPABILITY IMAP4rev1] ready"),
                              Step::Expect("a1 LOGIN \"alice@good.test\" "),
                              Step::Send("{tag} OK Logged in")};
  for (auto& s : ImapLogoutSteps()) script.push_back(s);
  DialogServer server(script);
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.allow_plaintext = true;
  CheckResult c = Check(r);
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_EQ(c.auth_used, "LOGIN (IMAP command)");
  EXPECT_FALSE(c.tls.has_value());
  ExpectNoPassword(c);  // the transcript hides it even though the wire had it
}

TEST_F(TesterTest, LoginDisabledWithoutMechanismsIsAuthMechanism) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready"),
                       Step::Expect("a1 LOGOUT"), Step::Send("{tag} OK bye")});
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.allow_plaintext = true;
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kAuthMechanism);
  EXPECT_NE(c.error->message.find("LOGINDISABLED"), std::string::npos);
  ExpectNoPassword(c, &server);
}

TEST_F(TesterTest, RejectedPasswordMessageForHelpdesk) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready"),
                       Step::Expect("a1 AUTHENTICATE"),
                       Step::Send("{tag} NO [AUTHENTICATIONFAILED] Authentication failed."),
                       Step::Expect("a2 LOGOUT"), Step::Send("{tag} OK bye")},
                      true);
  CheckResult c = Check(Request(server.port(), Security::kTls));
  ExpectKind(c, ErrorKind::kAuth, Phase::kAuth);
  EXPECT_EQ(c.error->message,
            "The server rejected the password for alice@good.test (IMAP says: "
            "[AUTHENTICATIONFAILED] Authentication failed.)");
  EXPECT_EQ(c.error->server_reply, "a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
  EXPECT_TRUE(c.login_attempted);
  EXPECT_FALSE(c.login_ok);
}

TEST_F(TesterTest, NoGreetingTimesOutInGreetingPhase) {
  DialogServer server({Step::Hang()});
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.timeouts.greeting = Millis(300);
  const auto start = Clock::now();
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kTimeout, Phase::kGreeting);
  EXPECT_LT(MsSince(start), 1200);
  EXPECT_NE(c.error->message.find("sent no greeting"), std::string::npos) << c.error->message;
}

TEST_F(TesterTest, EndlessLineIsAProtocolError) {
  DialogServer server({Step::Flood()});
  const auto start = Clock::now();
  CheckResult c = Check(Request(server.port(), Security::kPlain));
  ExpectKind(c, ErrorKind::kProtocol, Phase::kGreeting);
  EXPECT_NE(c.error->message.find("longer than 64 KiB"), std::string::npos) << c.error->message;
  EXPECT_LT(MsSince(start), 1500);
}

TEST_F(TesterTest, SlowDripIsBoundedByThePhaseDeadline) {
  // One byte every 50 ms: each read makes progress, but the line as a whole
  // must arrive within the greeting budget.
  DialogServer server({Step::Drip("* OK this greeting takes far too long to arrive\r\n", 50)});
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.timeouts.greeting = Millis(400);
  const auto start = Clock::now();
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kTimeout, Phase::kGreeting);
  EXPECT_LT(MsSince(start), 1200);
}

TEST_F(TesterTest, GarbageGreetingIsAProtocolError) {
  DialogServer server(
      {Step::Raw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n", 12)), Step::Hang()});
  CheckResult c = Check(Request(server.port(), Security::kPlain));
  ExpectKind(c, ErrorKind::kProtocol, Phase::kGreeting);
}

TEST_F(TesterTest, ClosedBeforeGreeting) {
  DialogServer server({Step::Close()});
  CheckResult c = Check(Request(server.port(), Security::kPlain, Protocol::kSmtp));
  ExpectKind(c, ErrorKind::kProtocol, Phase::kGreeting);
  EXPECT_NE(c.error->message.find("closed the connection"), std::string::npos);
}

TEST_F(TesterTest, RefusedPort) {
  uint16_t port;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = probe.address().port();
  }
  CheckResult c = Check(Request(port, Security::kTls));
  ExpectKind(c, ErrorKind::kRefused);
  EXPECT_NE(c.error->message.find("refused"), std::string::npos);
}

TEST_F(TesterTest, DualStackFallsBackToIpv4) {
  std::vector<Step> script = {Step::Send("+OK ready"), Step::Expect("CAPA"), Step::Send("+OK"),
                              Step::Send("USER"),      Step::Send("."),      Step::Expect("QUIT"),
                              Step::Send("+OK bye")};
  DialogServer server(script);
  CheckRequest r = Request(server.port(), Security::kPlain, Protocol::kPop3);
  r.host = "dual.test";
  r.password.reset();
  CheckResult c = Check(r);
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_FALSE(c.login_attempted);
}

TEST_F(TesterTest, UnknownNameIsDns) {
  CheckRequest r = Request(993, Security::kTls);
  r.host = "nxdomain.test";
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kDns, Phase::kResolve);
  EXPECT_NE(c.error->message.find("nxdomain.test"), std::string::npos);
}

TEST_F(TesterTest, SilentDnsIsTimeoutInResolve) {
  CheckRequest r = Request(993, Security::kTls);
  r.host = "slowdns.test";
  r.timeouts.resolve = Millis(200);
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kTimeout, Phase::kResolve);
}

TEST_F(TesterTest, WrongNameCertificate) {
  DialogServer server({Step::Send("* OK ready"), Step::Hang()}, true);
  CheckRequest r = Request(server.port(), Security::kTls);
  r.host = "other.test";
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kCertificate);
  EXPECT_NE(c.error->message.find("not other.test"), std::string::npos) << c.error->message;
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_FALSE(c.tls->name_ok);
  EXPECT_TRUE(c.tls->chain_ok);
  EXPECT_TRUE(server.received().empty());  // nothing was sent, not even LOGOUT
}

TEST_F(TesterTest, InsecureTlsContinuesButReports) {
  std::vector<Step> script = {Step::Send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready"),
                              Step::Expect("a1 AUTHENTICATE PLAIN"),
                              Step::Send("{tag} OK Logged in")};
  for (auto& s : ImapLogoutSteps()) script.push_back(s);
  DialogServer server(script, true, "selfsigned");
  CheckResult c = Check(Request(server.port(), Security::kTls), /*insecure=*/true);
  ASSERT_TRUE(c.ok) << c.error->message;
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_FALSE(c.tls->chain_ok);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("self-signed"), std::string::npos) << c.warnings[0];
}

TEST_F(TesterTest, SelfSignedAndExpiredCertificates) {
  {
    DialogServer server({Step::Send("* OK ready")}, true, "selfsigned");
    CheckResult c = Check(Request(server.port(), Security::kTls));
    ExpectKind(c, ErrorKind::kCertificate);
    EXPECT_NE(c.error->message.find("self-signed"), std::string::npos) << c.error->message;
  }
  {
    DialogServer server({Step::Send("* OK ready")}, true, "expired");
    CheckResult c = Check(Request(server.port(), Security::kTls));
    ExpectKind(c, ErrorKind::kCertificate);
    EXPECT_NE(c.error->message.find("expired"), std::string::npos) << c.error->message;
  }
}

TEST_F(TesterTest, ImplicitTlsAgainstPlainServerIsTls) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1] plain-text server"), Step::Hang()});
  CheckResult c = Check(Request(server.port(), Security::kTls));
  ExpectKind(c, ErrorKind::kTls);
}

TEST_F(TesterTest, OverallDeadlineBeatsPhaseBudgets) {
  DialogServer server({Step::Hang()});
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.timeouts = PhaseTimeouts::All(Millis(5000));
  r.overall = Deadline::AfterMs(400);
  const auto start = Clock::now();
  CheckResult c = Check(r);
  ExpectKind(c, ErrorKind::kTimeout, Phase::kGreeting);
  EXPECT_LT(MsSince(start), 1000);
}

TEST_F(TesterTest, CancellationStopsAWaitingCheck) {
  DialogServer server({Step::Hang()});
  CheckRequest r = Request(server.port(), Security::kPlain);
  r.timeouts = PhaseTimeouts::All(Millis(5000));
  r.cancelled = MakeCancelFlag();
  std::thread canceller([flag = r.cancelled] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    *flag = true;
  });
  const auto start = Clock::now();
  CheckResult c = Check(r);
  canceller.join();
  ExpectKind(c, ErrorKind::kTimeout, Phase::kCancelled);
  EXPECT_LT(MsSince(start), 1000);
}

TEST_F(TesterTest, ProbeNeverLogsIn) {
  DialogServer server({Step::Send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready"),
                       Step::Expect("a1 LOGOUT"), Step::Send("{tag} OK bye")},
                      true);
  CheckRequest r = Request(server.port(), Security::kTls);
  r.probe_only = true;
  CheckResult c = Check(r);
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_FALSE(c.login_attempted);
  EXPECT_EQ(server.received(), (std::vector<std::string>{"a1 LOGOUT"}));
}

TEST_F(TesterTest, SmtpWithoutAuthIsAuthMechanism) {
  DialogServer server({Step::Send("220 mx.good.test ESMTP"), Step::Expect("EHLO [127.0.0.1]"),
                       Step::Send("250-mx.good.test"), Step::Send("250 SIZE 1000"),
                       Step::Expect("QUIT"), Step::Send("221 bye")},
                      true);
  CheckResult c = Check(Request(server.port(), Security::kTls, Protocol::kSmtp));
  ExpectKind(c, ErrorKind::kAuthMechanism);
  EXPECT_NE(c.error->message.find("no AUTH"), std::string::npos) << c.error->message;
  EXPECT_TRUE(server.mismatches().empty()) << server.mismatches().front();
}

TEST_F(TesterTest, Pop3FallsBackToUserPass) {
  DialogServer server({Step::Send("+OK ready"), Step::Expect("CAPA"), Step::Send("+OK"),
                       Step::Send("USER"), Step::Send("."), Step::Expect("USER alice@good.test"),
                       Step::Send("+OK"), Step::Expect("PASS "), Step::Send("+OK Logged in."),
                       Step::Expect("QUIT"), Step::Send("+OK bye")},
                      true);
  CheckResult c = Check(Request(server.port(), Security::kTls, Protocol::kPop3));
  ASSERT_TRUE(c.ok) << c.error->message;
  EXPECT_EQ(c.auth_used, "USER/PASS");
  ExpectNoPassword(c);
}

TEST_F(TesterTest, ServerEchoingThePasswordIsScrubbed) {
  DialogServer server(
      {Step::Send("+OK ready"), Step::Expect("CAPA"), Step::Send("-ERR no"), Step::Expect("USER"),
       Step::Send("+OK"), Step::Expect("PASS"), Step::Send("-ERR wrong password " + kPassword),
       Step::Expect("QUIT"), Step::Send("+OK")},
      true);
  CheckResult c = Check(Request(server.port(), Security::kTls, Protocol::kPop3));
  ExpectKind(c, ErrorKind::kAuth);
  ExpectNoPassword(c);
  EXPECT_NE(c.error->server_reply.find("***"), std::string::npos);
}

TEST_F(TesterTest, CheckAllKeepsOrderAndRunsInParallel) {
  DialogServer slow1({Step::Hang()});
  DialogServer slow2({Step::Hang()});
  CheckRequest a = Request(slow1.port(), Security::kPlain);
  CheckRequest b = Request(slow2.port(), Security::kPlain);
  a.timeouts.greeting = b.timeouts.greeting = Millis(500);
  b.protocol = Protocol::kPop3;
  Tester tester(resolver_, tls_);
  const auto start = Clock::now();
  auto results = tester.CheckAll({a, b}, 2);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].protocol, Protocol::kImap);
  EXPECT_EQ(results[1].protocol, Protocol::kPop3);
  EXPECT_LT(MsSince(start), 900);  // not 2 x 500 ms
}

TEST(ExpandAllSecuritiesTest, StandardPairs) {
  CheckRequest base;
  base.protocol = Protocol::kSmtp;
  base.port = 2525;
  auto all = ExpandAllSecurities(base);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].port, 465);
  EXPECT_EQ(all[0].security, Security::kTls);
  EXPECT_EQ(all[1].port, 587);
  EXPECT_EQ(all[1].security, Security::kStartTls);
  EXPECT_EQ(all[2].port, 587);
  EXPECT_EQ(all[2].security, Security::kPlain);
}

}  // namespace
}  // namespace mailscout
