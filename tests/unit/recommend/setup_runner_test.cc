// SetupRunner with a fake discovery and a fake tester: targets, username
// retries, per-host limits, early finish and deadlines.
#include "recommend/setup_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

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

// How one fake server behaves.
struct Behaviour {
  int delay_ms = 0;               // before answering
  bool hang = false;              // never answers (until cancelled or the deadline)
  std::string accepts = "*";      // the only username accepted ("*": any)
  std::optional<ErrorKind> fail;  // fails before the login with this kind
};

Behaviour Ok() { return {}; }
Behaviour Slow(int ms) {
  Behaviour b;
  b.delay_ms = ms;
  return b;
}
Behaviour Fails(ErrorKind kind, int after_ms = 0) {
  Behaviour b;
  b.delay_ms = after_ms;
  b.fail = kind;
  return b;
}
Behaviour Hangs() {
  Behaviour b;
  b.hang = true;
  return b;
}
Behaviour Accepts(const std::string& user) {
  Behaviour b;
  b.accepts = user;
  return b;
}

class FakeServers {
 public:
  void Set(const std::string& host, uint16_t port, Behaviour b) { servers_[{host, port}] = b; }

  CheckResult Check(const CheckRequest& r) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back(r);
      int now = ++running_[r.host];
      max_running_[r.host] = std::max(max_running_[r.host], now);
    }
    Behaviour b;
    auto it = servers_.find({r.host, r.port});
    if (it != servers_.end()) b = it->second;
    CheckResult res;
    res.protocol = r.protocol;
    res.host = r.host;
    res.port = r.port;
    res.security = r.security;
    res.username = r.username;
    auto until = Clock::now() + milliseconds(b.hang ? 600000 : b.delay_ms);
    bool cancelled = false, timed_out = false;
    while (Clock::now() < until) {
      if (r.cancelled && r.cancelled->load()) {
        cancelled = true;
        break;
      }
      if (r.overall && r.overall->expired()) {
        timed_out = true;
        break;
      }
      std::this_thread::sleep_for(milliseconds(2));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      --running_[r.host];
    }
    if (cancelled || timed_out) {
      res.error = Error::Make(ErrorKind::kTimeout, "stopped", "",
                              cancelled ? Phase::kCancelled : Phase::kOverall);
      return res;
    }
    if (it == servers_.end() || b.fail) {
      res.error = Error::Make(b.fail.value_or(ErrorKind::kRefused), "fails");
      return res;
    }
    if (r.security != Security::kPlain) {
      res.tls = TlsInfo{};
      res.tls->chain_ok = res.tls->name_ok = true;
    }
    if (r.username.empty() || !r.password) {
      res.ok = true;
      return res;
    }
    res.login_attempted = true;
    if (r.security == Security::kPlain && !r.allow_plaintext) {
      res.error = Error::Make(ErrorKind::kCleartextRefused, "refused to send");
      return res;
    }
    if ((b.accepts == "*" || b.accepts == r.username) && *r.password == "right") {
      res.ok = res.login_ok = true;
      res.auth_used = "PLAIN";
    } else {
      res.error = Error::Make(ErrorKind::kAuth, "rejected " + r.username);
    }
    return res;
  }

  std::vector<CheckRequest> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  int max_running(const std::string& host) {
    std::lock_guard<std::mutex> lock(mu_);
    return max_running_[host];
  }

 private:
  std::map<std::pair<std::string, uint16_t>, Behaviour> servers_;
  std::mutex mu_;
  std::vector<CheckRequest> calls_;
  std::map<std::string, int> running_;
  std::map<std::string, int> max_running_;
};

EmailAddress Alice() { return EmailAddress::Parse("alice@example.com").value(); }

struct Outcome {
  SetupReport report;
  int64_t ms = 0;
};

Outcome RunSetup(FakeServers& servers, std::vector<ServerCandidate> candidates,
                 SetupOptions options, int64_t deadline_ms = 10000) {
  DiscoverFn discover = [candidates](const EmailAddress& a, Deadline) {
    DiscoveryResult d;
    d.email = a.display();
    d.domain = a.ascii_domain();
    d.candidates = candidates;
    return d;
  };
  CheckFn check = [&servers](const CheckRequest& r) { return servers.Check(r); };
  auto start = Clock::now();
  Outcome run;
  {
    SetupRunner runner(discover, check, std::move(options));
    run.report = runner.Run(Alice(), Deadline::AfterMs(deadline_ms));
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

TEST(SetupRunnerTest, HealthyAccountFinishesWithoutWaitingForWorseServers) {
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

TEST(SetupRunnerTest, TarpitOnPreferredPortDelaysOnlyUntilItsOwnDeadline) {
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

TEST(SetupRunnerTest, TarpitAnswerArrivesRightAfterItsDeadline) {
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

TEST(SetupRunnerTest, LoginByLocalPartAfterFullAddressIsRejected) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("smtp.example.com", 465, Accepts("alice"));
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword());
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_TRUE(run.report.recommended.incoming->verified);
  EXPECT_EQ(run.report.recommended.incoming->username, "alice");
  EXPECT_EQ(run.report.recommended.outgoing->username, "alice");
  // Each form at most once per server.
  std::map<std::tuple<std::string, uint16_t, std::string>, int> tries;
  for (const auto& c : s.calls()) ++tries[{c.host, c.port, c.username}];
  for (const auto& [key, n] : tries) EXPECT_EQ(n, 1) << std::get<0>(key) << std::get<2>(key);
}

TEST(SetupRunnerTest, WrongPasswordTriesEachFormOncePerServerAndVerifiesNothing) {
  FakeServers s;
  s.Set("imap.example.com", 993, Ok());
  s.Set("imap.example.com", 143, Ok());
  s.Set("smtp.example.com", 465, Ok());
  s.Set("smtp.example.com", 587, Ok());
  Outcome run = RunSetup(s, {kImap, kSmtp}, WithPassword("wrong"));
  ASSERT_TRUE(run.report.recommended.incoming);
  EXPECT_FALSE(run.report.recommended.incoming->verified);
  EXPECT_FALSE(run.report.recommended.outgoing->verified);
  std::map<std::tuple<std::string, uint16_t, std::string>, int> tries;
  for (const auto& c : s.calls()) ++tries[{c.host, c.port, c.username}];
  for (const auto& [key, n] : tries) EXPECT_EQ(n, 1);
  // One failed login per form per (protocol, host): the ports of a host
  // take turns until a form is known to work.
  EXPECT_EQ(s.calls().size(), 4u);
  bool auth = false;
  for (const auto& c : run.report.checks) auth |= c.error && c.error->kind == ErrorKind::kAuth;
  EXPECT_TRUE(auth);
}

TEST(SetupRunnerTest, FormLearnedOnOnePortIsUsedOnTheHostsOtherPorts) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("imap.example.com", 143, Accepts("alice"));
  s.Set("smtp.example.com", 465, Ok());
  SetupOptions options = WithPassword();
  options.check_all = true;  // 143 runs although 993 already won
  RunSetup(s, {kImap, kSmtp}, options);
  std::vector<std::string> on143;
  int full_address_tries = 0;
  for (const auto& c : s.calls()) {
    if (c.host != "imap.example.com") continue;
    if (c.port == 143) on143.push_back(c.username);
    if (c.username == "alice@example.com") ++full_address_tries;
  }
  EXPECT_EQ(on143, std::vector<std::string>{"alice"});
  EXPECT_EQ(full_address_tries, 1);
}

TEST(SetupRunnerTest, WithoutPasswordChecksUpToLoginOnly) {
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

TEST(SetupRunnerTest, PerHostLimitHolds) {
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

TEST(SetupRunnerTest, PlainOnlyWithAllowPlaintext) {
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

TEST(SetupRunnerTest, UserOptionIsTheOnlyForm) {
  FakeServers s;
  s.Set("imap.example.com", 993, Accepts("alice"));
  s.Set("smtp.example.com", 465, Accepts("alice"));
  SetupOptions options = WithPassword();
  options.username = "al";
  Outcome run = RunSetup(s, {kImap, kSmtp}, options);
  for (const auto& c : s.calls()) EXPECT_EQ(c.username, "al");
}

TEST(SetupRunnerTest, NothingFound) {
  FakeServers s;
  Outcome run = RunSetup(s, {}, WithPassword());
  EXPECT_FALSE(run.report.recommended.incoming);
  EXPECT_FALSE(run.report.recommended.outgoing);
  EXPECT_TRUE(s.calls().empty());
}

TEST(SetupRunnerTest, UsernameFormsInOrderWithoutRepeats) {
  EXPECT_EQ(UsernameForms("", Alice()), (std::vector<std::string>{"alice@example.com", "alice"}));
  EXPECT_EQ(UsernameForms("alice", Alice()),
            (std::vector<std::string>{"alice", "alice@example.com"}));
  EXPECT_EQ(UsernameForms("ALICE", Alice()),
            (std::vector<std::string>{"ALICE", "alice@example.com", "alice"}));
}

}  // namespace
}  // namespace mailscout
