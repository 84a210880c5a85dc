// SetupEngine with a fake discovery and fake servers: targets, streaming,
// the login policy (one login at a time per server, username forms, the
// wrong-password stop, the budget), per-host limits, early finish and
// deadlines.
#include "engine/setup_engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "unit/engine/fake_servers.h"

namespace mailscout {
namespace {

using std::chrono::milliseconds;

ServerCandidate Cand(Protocol p, const std::string& host, uint16_t port, Security s,
                     const std::string& user = "alice@example.com") {
  ServerCandidate c;
  c.protocol = p;
  c.host = host;
  c.port = port;
  c.security = s;
  c.username = user;
  c.source = Source::kAutoconfig;
  c.trust = Trust::kAuthenticated;
  return c;
}

EmailAddress Alice() { return EmailAddress::Parse("alice@example.com").value(); }

struct Outcome {
  SetupReport report;
  int64_t ms = 0;
};

Outcome RunSetup(FakeServers& servers, std::vector<ServerCandidate> candidates,
                 SetupOptions options, int64_t deadline_ms = 10000,
                 LoginBudget budget = LoginBudget{}, int discovery_ms = 0) {
  DiscoverFn discover = [candidates, discovery_ms](const EmailAddress& a, Deadline,
                                                   const CandidateSink& sink, const StopFlag&) {
    if (sink && !candidates.empty()) sink(candidates);
    std::this_thread::sleep_for(milliseconds(discovery_ms));
    DiscoveryResult d;
    d.email = a.display();
    d.domain = a.ascii_domain();
    d.candidates = candidates;
    return d;
  };
  CheckFn check = [&servers](const CheckRequest& r) { return servers.Check(r); };
  LoginPolicy policy(budget, nullptr, milliseconds(300));
  auto start = Clock::now();
  Outcome run;
  {
    SetupEngine engine(discover, check, policy, std::move(options));
    run.report = engine.Run(Alice(), Deadline::AfterMs(deadline_ms));
    run.ms = MsSince(start);
  }
  return run;
}

SetupOptions WithPassword(const std::string& pw = "right") {
  SetupOptions o;
  o.password = pw;
  return o;
}

const ServerCandidate kImap = Cand(Protocol::kImap, "imap.example.com", 993, Security::kTls);
const ServerCandidate kSmtp = Cand(Protocol::kSmtp, "smtp.example.com", 465, Security::kTls);

TEST(SetupEngineTest, HealthyAccountFinishesWithoutWaitingForWorseServers) {
  FakeServers s;
  s.Set("imap.example.com", 993, Ok());
  s.Set("imap.example.com", 143, Slow(3000));
  s.Set("smtp.example.com", 465, Ok());
  s.Set("smtp.example.com", 587, Slow(3000));
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword());
  EXPECT_LT(run.ms, 1500);
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_EQ(run.report.recommended.incoming->port, 993);
  EXPECT_TRUE(run.report.recommended.incoming->verified);
  ASSERT_TRUE(run.report.recommended.outgoing);
  EXPECT_EQ(run.report.recommended.outgoing->port, 465);
  // The slow STARTTLS ports were tried (derived from the hosts) and stopped.
  int cancelled = 0;
  for (const auto& c : run.report.checks) {
    if (c.error && c.error->phase == Phase::kCancelled) ++cancelled;
  }
  EXPECT_EQ(cancelled, 2);
}

TEST(SetupEngineTest, TarpitOnPreferredPortDelaysOnlyUntilItsOwnDeadline) {
  FakeServers s;
  s.Set("imap.example.com", 993, Fails(ErrorKind::kTimeout, 400));  // tarpit
  s.Set("imap.example.com", 143, Ok());
  s.Set("smtp.example.com", 465, Hangs());  // dropped SYN, no deadline of its own...
  s.Set("smtp.example.com", 587, Ok());
  ServerCandidate smtp587 = Cand(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  Outcome run = RunSetup(s, {kImap, kSmtp, smtp587}, WithPassword(), 1200);
  // ...so only the overall deadline ends it; the tarpit's 400 ms did not.
  EXPECT_GE(run.ms, 1100);
  EXPECT_LT(run.ms, 2500);
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_EQ(run.report.recommended.incoming->port, 143);
  ASSERT_TRUE(run.report.recommended.outgoing);
  EXPECT_EQ(run.report.recommended.outgoing->port, 587);
  bool overall = false;
  for (const auto& c : run.report.checks) {
    if (c.port == 465 && c.error && c.error->phase == Phase::kOverall) overall = true;
  }
  EXPECT_TRUE(overall);
}

TEST(SetupEngineTest, TarpitAnswerArrivesRightAfterItsDeadline) {
  FakeServers s;
  s.Set("imap.example.com", 993, Fails(ErrorKind::kTimeout, 300));
  s.Set("imap.example.com", 143, Ok());
  s.Set("smtp.example.com", 465, Ok());
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword());
  EXPECT_GE(run.ms, 280);
  EXPECT_LT(run.ms, 1000);
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_EQ(run.report.recommended.incoming->security, Security::kStartTls);
}

TEST(SetupEngineTest, LoginByLocalPartAfterFullAddressIsRejected) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("smtp.example.com", 465, Accepts("alice"));
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword());
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_TRUE(run.report.recommended.incoming->verified);
  EXPECT_EQ(run.report.recommended.incoming->username, "alice");
  EXPECT_EQ(run.report.recommended.outgoing->username, "alice");
  // The full address failed once on IMAP; SMTP used the form that worked.
  EXPECT_EQ(s.failed_logins(), 1);
  std::map<std::tuple<std::string, uint16_t, std::string>, int> tries;
  for (const Login& l : s.logins()) ++tries[{l.host, l.port, l.username}];
  for (const auto& [key, n] : tries) EXPECT_EQ(n, 1) << std::get<0>(key) << std::get<2>(key);
}

TEST(SetupEngineTest, WrongPasswordCostsOneFailurePerFormOnTheBestServerThenStops) {
  FakeServers s;
  s.Set("imap.example.com", 993, Ok());
  s.Set("imap.example.com", 143, Ok());
  s.Set("smtp.example.com", 465, Ok());
  s.Set("smtp.example.com", 587, Ok());
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword("wrong"));
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_FALSE(run.report.recommended.incoming->verified);
  // Both forms on the best server (IMAP 993), nothing else: the password is
  // wrong, and the other servers are not asked to reject it again.
  std::vector<std::string> forms;
  for (const Login& l : s.logins()) {
    EXPECT_EQ(l.host, "imap.example.com");
    EXPECT_EQ(l.port, 993);
    forms.push_back(l.username);
  }
  EXPECT_EQ(forms, (std::vector<std::string>{"alice@example.com", "alice"}));
  EXPECT_EQ(s.failed_logins(), 2);
  EXPECT_FALSE(run.report.login_policy.stopped.empty());
  for (const auto& c : run.report.checks) {
    if (c.host == "smtp.example.com") {
      ASSERT_TRUE(c.error);
      EXPECT_EQ(c.error->kind, ErrorKind::kNotTried);
      EXPECT_NE(c.error->message.find("password is wrong"), std::string::npos);
    }
  }
}

TEST(SetupEngineTest, BestServerLogsInFirstEvenWhenItConnectsLast) {
  ServerCandidate imap = Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls);
  ServerCandidate smtp = Cand(Protocol::kSmtp, "mail.example.com", 465, Security::kTls);
  for (int i = 0; i < 3; ++i) {
    FakeServers s;
    s.Set("mail.example.com", 993, Slow(200));  // the best, but slow to answer
    s.Set("mail.example.com", 143, Ok());
    s.Set("mail.example.com", 465, Ok());
    s.Set("mail.example.com", 587, Ok());
    RunSetup(s, {imap, smtp}, WithPassword("wrong"));
    std::vector<Login> logins = s.logins();
    ASSERT_EQ(logins.size(), 2u);
    EXPECT_EQ(logins[0].port, 993);
    EXPECT_EQ(logins[1].port, 993);
  }
}

TEST(SetupEngineTest, OneLoginAtATimePerServerAddress) {
  FakeServers s;
  s.SetAddress("imap.example.com", "192.0.2.1");
  s.SetAddress("smtp.example.com", "192.0.2.1");  // the same server
  for (uint16_t port : {993, 143}) s.Set("imap.example.com", port, Accepts("*", 80));
  for (uint16_t port : {465, 587}) s.Set("smtp.example.com", port, Accepts("*", 80));
  SetupOptions options = WithPassword();
  options.check_all = true;
  RunSetup(s, {kImap, kSmtp}, options);
  std::vector<Login> logins = s.logins();
  ASSERT_EQ(logins.size(), 4u);
  std::sort(logins.begin(), logins.end(),
            [](const Login& a, const Login& b) { return a.start < b.start; });
  for (size_t i = 1; i < logins.size(); ++i) EXPECT_GE(logins[i].start, logins[i - 1].end);
}

TEST(SetupEngineTest, BudgetOfFailedLoginsPerServerIsKept) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("smtp.example.com", 465, Accepts("alice"));
  LoginBudget budget;
  budget.per_run = 1;
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword(), 10000, budget);
  // One failure on IMAP spends its budget; SMTP learned nothing yet, so it
  // has a failure of its own to spend... but only on a form not yet known.
  int imap_failed = 0;
  for (const Login& l : s.logins()) imap_failed += l.host == "imap.example.com" && !l.ok;
  EXPECT_EQ(imap_failed, 1);
  bool budget_said = false;
  for (const auto& c : run.report.checks) {
    budget_said |= c.error && c.error->kind == ErrorKind::kNotTried &&
                   c.error->message.find("failed logins") != std::string::npos;
  }
  EXPECT_TRUE(budget_said);
}

TEST(SetupEngineTest, CandidatesAreCheckedWhileDiscoveryStillRuns) {
  FakeServers s;
  s.Set("imap.example.com", 993, Ok());
  s.Set("smtp.example.com", 465, Ok());
  const auto start = Clock::now();
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword(), 10000, LoginBudget{}, 400);
  ASSERT_FALSE(s.call_times().empty());
  // The servers were dialled long before discovery returned (400 ms)...
  EXPECT_LT(s.call_times().front() - start, milliseconds(200));
  // ...but no password was sent before discovery had named every server
  // (the best one logs in first)...
  ASSERT_FALSE(s.logins().empty());
  EXPECT_GE(s.logins().front().start - start, milliseconds(250));
  // ...and the run ended right after.
  EXPECT_LT(run.ms, 700);
  EXPECT_TRUE(run.report.recommended.incoming && run.report.recommended.incoming->verified);
}

TEST(SetupEngineTest, FormLearnedOnOnePortIsUsedOnTheHostsOtherPorts) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("imap.example.com", 143, Accepts("alice"));
  s.Set("smtp.example.com", 465, Ok());
  SetupOptions options = WithPassword();
  options.check_all = true;  // 143 runs although 993 already won
  RunSetup(s, {kImap, kSmtp}, options);
  std::vector<std::string> on143;
  int full_address_tries = 0;
  for (const Login& c : s.logins()) {
    if (c.host != "imap.example.com") continue;
    if (c.port == 143) on143.push_back(c.username);
    if (c.username == "alice@example.com") ++full_address_tries;
  }
  EXPECT_EQ(on143, std::vector<std::string>{"alice"});
  EXPECT_EQ(full_address_tries, 1);
}

TEST(SetupEngineTest, WithoutPasswordChecksUpToLoginOnly) {
  FakeServers s;
  s.Set("imap.example.com", 993, Ok());
  s.Set("smtp.example.com", 465, Ok());
  Outcome run = RunSetup(s, {kImap, kSmtp}, SetupOptions{});
  EXPECT_FALSE(run.report.password_given);
  for (const auto& c : s.calls()) {
    EXPECT_TRUE(c.username.empty());
    EXPECT_FALSE(c.password);
  }
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_FALSE(run.report.recommended.incoming->verified);
  EXPECT_EQ(run.report.recommended.incoming->username, "alice@example.com");
}

TEST(SetupEngineTest, PerHostLimitHolds) {
  FakeServers s;
  ServerCandidate pop = Cand(Protocol::kPop3, "mail.example.com", 995, Security::kTls);
  ServerCandidate imap = Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls);
  ServerCandidate smtp = Cand(Protocol::kSmtp, "mail.example.com", 465, Security::kTls);
  for (uint16_t port : {993, 143, 995, 110, 465, 587}) {
    s.Set("mail.example.com", port, Fails(ErrorKind::kRefused, 60));
  }
  SetupOptions options = WithPassword();
  options.per_host = 2;
  RunSetup(s, {imap, pop, smtp}, options);
  EXPECT_EQ(s.calls().size(), 6u);
  EXPECT_LE(s.max_running("mail.example.com"), 2);
  EXPECT_GE(s.max_running("mail.example.com"), 1);
}

TEST(SetupEngineTest, PlainOnlyWithAllowPlaintext) {
  FakeServers s;
  s.Set("imap.example.com", 143, Ok());
  s.Set("smtp.example.com", 587, Ok());
  ServerCandidate imap = Cand(Protocol::kImap, "imap.example.com", 143, Security::kStartTls);
  ServerCandidate smtp = Cand(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  Outcome run = RunSetup(s, {imap, smtp}, WithPassword());
  for (const auto& c : s.calls()) EXPECT_NE(c.security, Security::kPlain);
  for (const auto& c : run.report.checks) EXPECT_NE(c.security, Security::kPlain);
  SetupOptions allow = WithPassword();
  allow.rank.allow_plaintext = true;
  allow.check_all = true;  // the plain ports would otherwise be cancelled as hopeless
  FakeServers s2;
  s2.Set("imap.example.com", 143, Ok());
  s2.Set("smtp.example.com", 587, Ok());
  run = RunSetup(s2, {imap, smtp}, allow);
  int plain = 0;
  for (const auto& c : s2.calls()) plain += c.security == Security::kPlain;
  EXPECT_EQ(plain, 2);
  // Encrypted still wins over plain.
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_EQ(run.report.recommended.incoming->security, Security::kStartTls);
}

TEST(SetupEngineTest, UserOptionIsTheOnlyForm) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("smtp.example.com", 465, Accepts("alice"));
  SetupOptions options = WithPassword();
  options.username = "al";
  Outcome run = RunSetup(s, {kImap, kSmtp}, options);
  for (const auto& c : s.calls()) EXPECT_EQ(c.username, "al");
}

TEST(SetupEngineTest, NothingFound) {
  FakeServers s;
  Outcome run = RunSetup(s, {}, WithPassword());
  EXPECT_FALSE(run.report.recommended.incoming);
  EXPECT_FALSE(run.report.recommended.outgoing);
  EXPECT_TRUE(s.calls().empty());
}

TEST(SetupEngineTest, UsernameFormsInOrderWithoutRepeats) {
  EXPECT_EQ(UsernameForms("", Alice()), (std::vector<std::string>{"alice@example.com", "alice"}));
  EXPECT_EQ(UsernameForms("alice", Alice()),
            (std::vector<std::string>{"alice", "alice@example.com"}));
  EXPECT_EQ(UsernameForms("ALICE", Alice()),
            (std::vector<std::string>{"ALICE", "alice@example.com", "alice"}));
}

}  // namespace
}  // namespace mailscout
