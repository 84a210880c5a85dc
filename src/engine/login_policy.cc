#include "engine/login_policy.h"

#include <algorithm>
#include <utility>

namespace mailscout {
namespace {

// How often a waiting gate looks at its cancel flag.
constexpr Millis kGatePoll{50};

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

std::string JoinForms(const std::vector<std::string>& forms) {
  std::string out;
  for (const auto& f : forms) out += (out.empty() ? "" : ", ") + f;
  return out;
}

bool CountsAsFailed(const Error& error) {
  return error.kind == ErrorKind::kAuth ||
         (error.kind == ErrorKind::kTimeout && error.phase == Phase::kAuth);
}

}  // namespace

std::string LoginPolicy::BudgetSpent(const LoginRealm& realm, const std::string& host) const {
  const std::string where = host + " (" + realm.realm + ")";
  const std::string advice =
      "; servers delay, lock out or ban after repeated failures (--max-failed-logins changes "
      "the limit)";
  if (realm.failed >= budget_.per_run) {
    return "Not tried: " + std::to_string(realm.failed) + " failed logins to " + where +
           " in this run already" + advice;
  }
  const int in_all = realm.failed + realm.failed_before;
  if (in_all >= budget_.in_all) {
    const int64_t minutes = ledger_ != nullptr ? ledger_->window_seconds() / 60 : 0;
    return "Not tried: " + std::to_string(in_all) + " failed logins to " + where + " in the last " +
           std::to_string(minutes) + " minutes, earlier runs included" + advice;
  }
  return {};
}

class LoginPolicy::Gate : public LoginGate {
 public:
  Gate(LoginPolicy& policy, std::string host, std::vector<std::string> forms, CancelFlag cancel,
       int id)
      : policy_(policy),
        host_(std::move(host)),
        forms_(std::move(forms)),
        cancel_(std::move(cancel)),
        id_(id) {}

  std::optional<std::string> Acquire(const std::string& address, Deadline deadline,
                                     std::string* why) override {
    return policy_.Acquire(host_, forms_, id_, address.empty() ? host_ : address, deadline, cancel_,
                           why);
  }
  void Release(const std::string& address, const std::string& username,
               const std::optional<Error>& error) override {
    policy_.Release(forms_, id_, address.empty() ? host_ : address, username, error);
  }

 private:
  LoginPolicy& policy_;
  const std::string host_;
  const std::vector<std::string> forms_;
  const CancelFlag cancel_;
  const int id_;
};

LoginPolicy::LoginPolicy(LoginBudget budget, LoginLedger* ledger, Millis grace)
    : budget_(budget), ledger_(ledger), grace_(grace) {}

std::unique_ptr<LoginGate> LoginPolicy::GateFor(const std::string& host,
                                                std::vector<std::string> forms, CancelFlag cancel,
                                                int id) {
  return std::make_unique<Gate>(*this, host, std::move(forms), std::move(cancel), id);
}

int LoginPolicy::Enter(const std::string& host, int priority) {
  std::lock_guard<std::mutex> lock(mu_);
  const int id = next_contender_++;
  contenders_[id] = Contender{host, priority};
  return id;
}

void LoginPolicy::Leave(int id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    contenders_.erase(id);
  }
  cv_.notify_all();
}

void LoginPolicy::SetPriority(int id, int priority) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = contenders_.find(id);
    if (it != contenders_.end()) it->second.priority = priority;
  }
  cv_.notify_all();
}

void LoginPolicy::HoldLogins(bool hold) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = hold;
  }
  cv_.notify_all();
}

bool LoginPolicy::BetterContender(const std::string& host, int id,
                                  Clock::time_point arrived) const {
  const bool in_grace = Clock::now() - arrived < grace_;
  if (held_ && in_grace) return true;  // the servers are not all known yet
  auto me = contenders_.find(id);
  if (me == contenders_.end()) return false;
  const bool any_host = accepted_anywhere_.empty();
  for (const auto& [other, c] : contenders_) {
    if (other == id || (c.host != host && !any_host)) continue;
    const bool better =
        c.priority < me->second.priority || (c.priority == me->second.priority && other < id);
    if (better && (c.at_gate || c.logged || in_grace)) return true;
  }
  return false;
}

LoginPolicy::Realm& LoginPolicy::RealmAt(const std::string& address) {
  auto [it, inserted] = realms_.try_emplace(address);
  if (inserted) {
    it->second.report.realm = address;
    if (ledger_ != nullptr) it->second.report.failed_before = ledger_->RecentFailures(address);
  }
  return it->second;
}

std::optional<std::string> LoginPolicy::NextForm(const Realm& realm,
                                                 const std::vector<std::string>& forms) const {
  // Rule 3: the form that worked here; else a form that worked elsewhere;
  // else the first form not yet rejected here.
  if (!realm.report.accepted.empty() && Contains(forms, realm.report.accepted)) {
    return realm.report.accepted;
  }
  for (const auto& f : forms) {
    if (accepted_anywhere_.count(f) > 0 && realm.rejected.count(f) == 0) return f;
  }
  for (const auto& f : forms) {
    if (realm.rejected.count(f) == 0) return f;
  }
  return std::nullopt;
}

std::optional<std::string> LoginPolicy::Acquire(const std::string& host,
                                                const std::vector<std::string>& forms, int id,
                                                const std::string& address, Deadline deadline,
                                                const CancelFlag& cancel, std::string* why) {
  std::unique_lock<std::mutex> lock(mu_);
  host_realm_[host] = address;
  Realm* realm = &RealmAt(address);
  if (!Contains(realm->report.hosts, host)) realm->report.hosts.push_back(host);
  // Rule 2: one attempt at a time per realm, best contender first.
  const Clock::time_point arrived = Clock::now();
  auto me = contenders_.find(id);
  if (me != contenders_.end()) me->second.at_gate = true;
  while ((realm->busy || BetterContender(host, id, arrived)) && stopped_.empty()) {
    if ((cancel && cancel->load()) || deadline.expired()) {
      if (me != contenders_.end()) me->second.at_gate = false;
      *why = "Not tried: stopped while waiting for another login to " + address + " to finish";
      return std::nullopt;
    }
    cv_.wait_for(lock, kGatePoll);
    realm = &RealmAt(address);
  }
  if (cancel && cancel->load()) {
    // Told to stop while it waited (setup had its answer): no login at all.
    if (me != contenders_.end()) me->second.at_gate = false;
    *why = "Not needed: stopped early because a better setting was already verified";
    return std::nullopt;
  }
  std::optional<std::string> form = Decide(*realm, host, forms, why);
  if (me != contenders_.end()) {
    me->second.at_gate = form.has_value();
    me->second.logged = me->second.logged || form.has_value();
  }
  return form;
}

std::optional<std::string> LoginPolicy::Decide(Realm& realm, const std::string& host,
                                               const std::vector<std::string>& forms,
                                               std::string* why) {
  if (!stopped_.empty()) {
    *why = stopped_;
    return std::nullopt;
  }
  if (!realm.report.closed.empty()) {
    *why = realm.report.closed;
    return std::nullopt;
  }
  std::optional<std::string> form = NextForm(realm, forms);
  if (!form) {
    // Rule 5: every form this check could try was rejected here.
    *why = "Not tried: " + host + " already rejected the password for every username form (" +
           JoinForms(forms) + ")";
    return std::nullopt;
  }
  if (*form != realm.report.accepted) {
    // Rule 4: a form not known to work could fail: is there budget left?
    std::string spent = BudgetSpent(realm.report, host);
    if (!spent.empty()) {
      realm.report.closed = spent;
      *why = spent;
      return std::nullopt;
    }
  }
  realm.busy = true;
  ++realm.report.attempts;
  return form;
}

void LoginPolicy::Release(const std::vector<std::string>& forms, int id, const std::string& address,
                          const std::string& username, const std::optional<Error>& error) {
  LoginRealm snapshot;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto me = contenders_.find(id); me != contenders_.end()) me->second.at_gate = false;
    Realm& realm = RealmAt(address);
    realm.busy = false;
    if (!error) {
      realm.report.accepted = username;
      accepted_anywhere_.insert(username);
    } else if (CountsAsFailed(*error)) {
      ++realm.report.failed;
      if (ledger_ != nullptr) ledger_->Record(address);
      if (realm.rejected.insert(username).second) realm.report.rejected.push_back(username);
      if (!error->reason.empty()) {
        // The provider refuses password logins by policy (e.g. basic
        // authentication off): another username form would only be one
        // more failure, and the password is not known to be wrong.
        realm.report.closed =
            "Not tried: " + address + " refuses password logins by policy (" + error->reason + ")";
      }
      const bool all_rejected = std::all_of(
          forms.begin(), forms.end(), [&](const auto& f) { return realm.rejected.count(f) > 0; });
      if (all_rejected && realm.report.accepted.empty() && error->reason.empty()) {
        realm.report.wrong_password = true;
        realm.report.closed = "Not tried: " + address + " already rejected the password for " +
                              "every username form (" + JoinForms(realm.report.rejected) + ")";
      }
    }
    snapshot = realm.report;
  }
  cv_.notify_all();
  std::function<void(const LoginRealm&)> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    notify = on_outcome_;
  }
  if (notify) notify(snapshot);
}

std::optional<std::string> LoginPolicy::Closed(const std::string& host) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!stopped_.empty()) return stopped_;
  auto h = host_realm_.find(host);
  if (h == host_realm_.end()) return std::nullopt;
  auto r = realms_.find(h->second);
  if (r == realms_.end() || r->second.report.closed.empty()) return std::nullopt;
  return r->second.report.closed;
}

void LoginPolicy::StopAll(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_.empty()) stopped_ = reason;
  }
  cv_.notify_all();
}

std::string LoginPolicy::stopped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

void LoginPolicy::set_on_outcome(std::function<void(const LoginRealm&)> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  on_outcome_ = std::move(fn);
}

std::vector<LoginRealm> LoginPolicy::Report() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LoginRealm> out;
  for (const auto& [address, realm] : realms_) out.push_back(realm.report);
  return out;
}

}  // namespace mailscout
