// LoginPolicy, one test per rule (engine/login_policy.h): realms, one
// login at a time in priority order, learning, budget, wrong password.
#include "engine/login_policy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace mailscout {
namespace {

using std::chrono::milliseconds;

const std::vector<std::string> kForms = {"alice@example.com", "alice"};

Deadline Soon() { return Deadline::AfterMs(2000); }

Error Rejected() { return Error::Make(ErrorKind::kAuth, "rejected", "", Phase::kAuth); }

// Acquire + Release with `error` in one step; returns the username used.
std::optional<std::string> Attempt(LoginPolicy& policy, const std::string& host,
                                   const std::string& ip, std::optional<Error> error,
                                   std::vector<std::string> forms = kForms,
                                   std::string* why = nullptr) {
  std::unique_ptr<LoginGate> gate = policy.GateFor(host, std::move(forms), nullptr);
  std::string reason;
  std::optional<std::string> user = gate->Acquire(ip, Soon(), &reason);
  if (why != nullptr) *why = reason;
  if (user) gate->Release(ip, *user, error);
  return user;
}

TEST(LoginPolicyTest, Rule1HostsOfOneAddressAreOneRealm) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  EXPECT_EQ(Attempt(policy, "imap.example.com", "192.0.2.1", Rejected()), "alice@example.com");
  // smtp. answers from the same address: it knows the full address failed.
  EXPECT_EQ(Attempt(policy, "smtp.example.com", "192.0.2.1", std::nullopt), "alice");
  std::vector<LoginRealm> realms = policy.Report();
  ASSERT_EQ(realms.size(), 1u);
  EXPECT_EQ(realms[0].hosts, (std::vector<std::string>{"imap.example.com", "smtp.example.com"}));
  EXPECT_EQ(realms[0].failed, 1);
  EXPECT_EQ(realms[0].accepted, "alice");
}

TEST(LoginPolicyTest, Rule2OneAttemptAtATimePerRealm) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  std::unique_ptr<LoginGate> first = policy.GateFor("imap.example.com", kForms, nullptr);
  std::string why;
  ASSERT_TRUE(first->Acquire("192.0.2.1", Soon(), &why));
  std::atomic<bool> second_went{false};
  std::thread second([&] {
    EXPECT_EQ(Attempt(policy, "smtp.example.com", "192.0.2.1", std::nullopt), "alice");
    second_went = true;
  });
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_FALSE(second_went.load());  // waits while the first login is open
  first->Release("192.0.2.1", "alice@example.com", Rejected());
  second.join();
  EXPECT_TRUE(second_went.load());
  // Another realm never waits.
  EXPECT_TRUE(Attempt(policy, "other.example.net", "198.51.100.7", std::nullopt));
}

TEST(LoginPolicyTest, Rule2BetterContenderOfTheHostGoesFirst) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  const int best = policy.Enter("mail.example.com", 0);
  const int worse = policy.Enter("mail.example.com", 5);
  std::atomic<bool> worse_went{false};
  std::thread t([&] {
    std::unique_ptr<LoginGate> gate = policy.GateFor("mail.example.com", kForms, nullptr, worse);
    std::string why;
    std::optional<std::string> user = gate->Acquire("192.0.2.1", Soon(), &why);
    worse_went = true;
    if (user) gate->Release("192.0.2.1", *user, std::nullopt);
  });
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_FALSE(worse_went.load());  // the better contender is still in play
  policy.Leave(best);
  t.join();
  EXPECT_TRUE(worse_went.load());
  policy.Leave(worse);
}

TEST(LoginPolicyTest, Rule3FormThatWorkedIsUsedEverywhere) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  Attempt(policy, "imap.example.com", "192.0.2.1", Rejected());
  Attempt(policy, "imap.example.com", "192.0.2.1", std::nullopt);  // alice works
  // Same realm: the accepted form.
  EXPECT_EQ(Attempt(policy, "imap.example.com", "192.0.2.1", std::nullopt), "alice");
  // Another realm tries the form that worked elsewhere first.
  EXPECT_EQ(Attempt(policy, "smtp.example.net", "198.51.100.7", std::nullopt), "alice");
}

TEST(LoginPolicyTest, Rule4BudgetPerRun) {
  LoginBudget budget;
  budget.per_run = 1;
  LoginPolicy policy(budget, nullptr);
  Attempt(policy, "imap.example.com", "192.0.2.1", Rejected());
  std::string why;
  EXPECT_FALSE(Attempt(policy, "imap.example.com", "192.0.2.1", std::nullopt, kForms, &why));
  EXPECT_NE(why.find("1 failed logins"), std::string::npos) << why;
  EXPECT_TRUE(policy.Closed("imap.example.com"));
}

TEST(LoginPolicyTest, Rule4BudgetCountsEarlierRunsFromTheLedger) {
  LoginLedger ledger("");
  ledger.Record("192.0.2.1");
  ledger.Record("192.0.2.1");
  LoginBudget budget;  // 2 per run, 3 in all
  LoginPolicy policy(budget, &ledger);
  EXPECT_TRUE(Attempt(policy, "imap.example.com", "192.0.2.1", Rejected()));
  std::string why;
  EXPECT_FALSE(Attempt(policy, "imap.example.com", "192.0.2.1", std::nullopt, kForms, &why));
  EXPECT_NE(why.find("earlier runs"), std::string::npos) << why;
  EXPECT_EQ(ledger.RecentFailures("192.0.2.1"), 3);
  EXPECT_EQ(policy.Report()[0].failed_before, 2);
}

TEST(LoginPolicyTest, Rule4KnownGoodFormIsUsedAfterTheBudgetIsSpent) {
  LoginBudget budget;
  budget.per_run = 1;
  LoginPolicy policy(budget, nullptr);
  Attempt(policy, "imap.example.com", "192.0.2.1", Rejected());
  // (a form found by --user, for example, worked elsewhere)
  EXPECT_EQ(Attempt(policy, "smtp.example.net", "198.51.100.7", std::nullopt, {"alice"}), "alice");
  EXPECT_EQ(Attempt(policy, "smtp.example.net", "198.51.100.7", std::nullopt), "alice");
}

TEST(LoginPolicyTest, Rule5EveryFormRejectedMeansWrongPassword) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  std::optional<LoginRealm> told;
  policy.set_on_outcome([&](const LoginRealm& realm) { told = realm; });
  Attempt(policy, "imap.example.com", "192.0.2.1", Rejected());
  EXPECT_FALSE(told->wrong_password);
  Attempt(policy, "imap.example.com", "192.0.2.1", Rejected());
  ASSERT_TRUE(told);
  EXPECT_TRUE(told->wrong_password);
  EXPECT_EQ(told->rejected, kForms);
  std::string why;
  EXPECT_FALSE(Attempt(policy, "imap.example.com", "192.0.2.1", std::nullopt, kForms, &why));
  EXPECT_NE(why.find("every username form"), std::string::npos) << why;
}

TEST(LoginPolicyTest, LoginWithoutAnswerCountsAsFailed) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  Attempt(policy, "imap.example.com", "192.0.2.1",
          Error::Make(ErrorKind::kTimeout, "no answer", "", Phase::kAuth));
  EXPECT_EQ(policy.Report()[0].failed, 1);
  // A failure before the login (none was sent) is not counted.
  Attempt(policy, "smtp.example.com", "198.51.100.7",
          Error::Make(ErrorKind::kProtocol, "closed", "", Phase::kGreeting));
  EXPECT_EQ(policy.Report()[1].failed, 0);
}

TEST(LoginPolicyTest, StopAllEndsWaitingGates) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  std::unique_ptr<LoginGate> first = policy.GateFor("imap.example.com", kForms, nullptr);
  std::string why;
  ASSERT_TRUE(first->Acquire("192.0.2.1", Soon(), &why));
  std::thread waiting([&] {
    std::string reason;
    EXPECT_FALSE(Attempt(policy, "smtp.example.com", "192.0.2.1", std::nullopt, kForms, &reason));
    EXPECT_EQ(reason, "stop");
  });
  std::this_thread::sleep_for(milliseconds(50));
  policy.StopAll("stop");
  waiting.join();
  first->Release("192.0.2.1", "alice@example.com", std::nullopt);
  EXPECT_EQ(policy.Closed("anything.example"), "stop");
}

TEST(LoginPolicyTest, CancelledGateGivesUp) {
  LoginPolicy policy(LoginBudget{}, nullptr);
  std::unique_ptr<LoginGate> first = policy.GateFor("imap.example.com", kForms, nullptr);
  std::string why;
  ASSERT_TRUE(first->Acquire("192.0.2.1", Soon(), &why));
  CancelFlag cancel = MakeCancelFlag();
  std::unique_ptr<LoginGate> second = policy.GateFor("imap.example.com", kForms, cancel);
  std::thread t([&] { cancel->store(true); });
  t.join();
  EXPECT_FALSE(second->Acquire("192.0.2.1", Soon(), &why));
  first->Release("192.0.2.1", "alice@example.com", std::nullopt);
}

}  // namespace
}  // namespace mailscout
