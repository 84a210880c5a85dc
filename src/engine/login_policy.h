// LoginPolicy: how setup and test log in without ever locking anyone out.
//
// Servers punish failed logins: Dovecot delays each failure (2 s, then a
// per-IP penalty up to 15 s), Postfix's anvil and Exchange do the same, and
// fail2ban bans the client's IP (often a whole office) after about five. A
// username form that is wrong is a failed login too. So:
//   1. Realms. Logins are grouped by authentication realm: the server's IP
//      address as the check found it (host names that lead to one address
//      answer alike and count as one realm).
//   2. One at a time, best first. Within a realm, one login attempt runs at
//      a time; every other check of that realm waits at its gate (LoginGate),
//      already connected. Checks registered as contenders (Enter) go in
//      priority order, so the best server is asked first and the verdict
//      does not depend on which connection happened to be faster: a gate
//      waits while a better contender is in play (of its own host; of any
//      host while no username form is known to work anywhere, so that a
//      wrong password or username form is learned on the best server
//      before any other pays for it). A better contender that has not
//      reached its own gate within `grace` of this one's arrival (a tarpit,
//      a dropped SYN) no longer holds it back, unless it logged in before
//      (it is trying its next username form).
//   3. Learning. An attempt's outcome feeds the next: the username form that
//      worked is used for every other port of the realm (and tried first on
//      other realms); a rejected form is never tried again in that realm.
//   4. Budget. Each realm may see at most budget.per_run failed logins in one
//      run, and at most budget.in_all within the ledger's window counting
//      earlier runs (LoginLedger). A form known to work is still used once
//      the budget is spent: it risks nothing.
//   5. Wrong password. When a realm has rejected every username form of a
//      check, no more forms are tried there: the password is wrong. The
//      engine may then stop every other login of the run (StopAll).
// A login still waiting for the server's answer when the auth phase ran out
// of time counts as failed: the server probably counted it.
//
// Thread-safe. Gates must not outlive the policy.
#ifndef MAILSCOUT_ENGINE_LOGIN_POLICY_H_
#define MAILSCOUT_ENGINE_LOGIN_POLICY_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/login_ledger.h"
#include "verify/tester.h"

namespace mailscout {

struct LoginBudget {
  int per_run = 2;  // failed logins per realm in one run (--max-failed-logins)
  int in_all = 3;   // per realm within the ledger's window, earlier runs included
};

class LoginPolicy {
 public:
  // ledger may be null (no memory across runs). It must outlive the policy.
  LoginPolicy(LoginBudget budget, LoginLedger* ledger, Millis grace = kDefaultGrace);

  static constexpr Millis kDefaultGrace{2000};
  LoginPolicy(const LoginPolicy&) = delete;
  LoginPolicy& operator=(const LoginPolicy&) = delete;

  // Registers a contender for logins to `host` with `priority` (lower goes
  // first); returns its id for GateFor and Leave. A contender stays in play
  // until Leave(id): all its attempts (username forms) come first.
  int Enter(const std::string& host, int priority);
  void Leave(int id);
  // A contender's priority changed (more targets became known).
  void SetPriority(int id, int priority);
  // While held, a gate waits (at most `grace`) before the first login of the
  // run: setup holds logins until discovery has named every server, so the
  // best one is known before any password is sent.
  void HoldLogins(bool hold);

  // A gate for one check of `host` whose username forms are `forms`, best
  // first, for contender `id` (-1: none, no priority order). A gate waits at
  // most until its deadline or until `cancel` is set.
  std::unique_ptr<LoginGate> GateFor(const std::string& host, std::vector<std::string> forms,
                                     CancelFlag cancel, int id = -1);

  // Why no login to `host` will be tried, when that is already known (its
  // realm is closed, or StopAll was called); nullopt otherwise.
  std::optional<std::string> Closed(const std::string& host) const;

  // No further login anywhere; waiting gates give up with `reason`.
  void StopAll(const std::string& reason);

  // Called (without the policy's lock) after each login's outcome is known.
  // Receives the realm's report.
  void set_on_outcome(std::function<void(const LoginRealm&)> fn);

  // StopAll's reason, or empty.
  std::string stopped() const;
  const LoginBudget& budget() const { return budget_; }
  const LoginLedger* ledger() const { return ledger_; }
  std::vector<LoginRealm> Report() const;

  class Gate;  // login_policy.cc

 private:
  struct Realm {
    LoginRealm report;
    std::set<std::string> rejected;
    bool busy = false;
  };

  struct Contender {
    std::string host;
    int priority = 0;
    bool at_gate = false;  // waiting at its gate or logging in
    bool logged = false;   // has logged in at least once
  };

  std::optional<std::string> Acquire(const std::string& host, const std::vector<std::string>& forms,
                                     int id, const std::string& address, Deadline deadline,
                                     const CancelFlag& cancel, std::string* why);
  // Whether a contender better than `id` holds it back (rule 2; mu_ held).
  bool BetterContender(const std::string& host, int id, Clock::time_point arrived) const;
  // The decision once the realm is free (mu_ held): a username, or why not.
  std::optional<std::string> Decide(Realm& realm, const std::string& host,
                                    const std::vector<std::string>& forms, std::string* why);
  void Release(const std::vector<std::string>& forms, int id, const std::string& address,
               const std::string& username, const std::optional<Error>& error);
  // The form to try next in `realm`, or nullopt when none is left (mu_ held).
  std::optional<std::string> NextForm(const Realm& realm,
                                      const std::vector<std::string>& forms) const;
  Realm& RealmAt(const std::string& address);  // mu_ held
  // Why `realm` may not risk another failed login, or empty (mu_ held).
  std::string BudgetSpent(const LoginRealm& realm, const std::string& host) const;

  const LoginBudget budget_;
  LoginLedger* const ledger_;
  const Millis grace_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Realm> realms_;            // by address
  std::map<std::string, std::string> host_realm_;  // host -> address
  std::set<std::string> accepted_anywhere_;        // forms that worked in some realm
  std::map<int, Contender> contenders_;            // by id
  bool held_ = false;                              // HoldLogins
  int next_contender_ = 0;
  std::string stopped_;  // StopAll's reason
  std::function<void(const LoginRealm&)> on_outcome_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_LOGIN_POLICY_H_
