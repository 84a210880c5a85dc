#include "engine/setup_engine.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

namespace mailscout {
namespace {

// How often waiting workers look again.
constexpr Millis kWorkerPoll{50};

struct Target {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::vector<std::string> forms;  // username forms, in order
  size_t attempts = 0;             // checks started
  int contender = -1;              // its LoginPolicy contender id while it runs
  enum class Step { kQueued, kRunning, kDone } step = Step::kQueued;
  bool dropped = false;  // discovery's final list no longer names its host
  CancelFlag cancel = MakeCancelFlag();

  bool incoming() const { return protocol != Protocol::kSmtp; }
  int side() const { return incoming() ? 0 : 1; }
};

std::string Describe(Protocol p, const std::string& host, uint16_t port, Security s) {
  return std::string(DisplayName(p)) + " " + host + ":" + std::to_string(port) + " " +
         std::string(ClientWords(s));
}

std::string ProgressLine(const Target& t, const CheckRequest& request, const CheckResult& r) {
  std::string line = Describe(t.protocol, t.host, t.port, t.security) + ": ";
  if (r.login_ok) {
    line += "login OK as " + r.username;
  } else if (r.ok) {
    line += "works up to the login";
  } else if (r.error) {
    line += r.error->message;
  }
  if (r.recalled) line += " (known from an earlier connection)";
  return line + " (" + std::to_string(r.ms) + " ms)";
}

CheckResult Stub(const Target& t, Error error) {
  CheckResult stub;
  stub.protocol = t.protocol;
  stub.host = t.host;
  stub.port = t.port;
  stub.security = t.security;
  stub.error = std::move(error);
  return stub;
}

}  // namespace

std::vector<std::string> UsernameForms(const std::string& source_form,
                                       const EmailAddress& address) {
  std::vector<std::string> forms;
  for (const std::string& f : {source_form, address.ascii(), address.local_part()}) {
    if (!f.empty() && std::find(forms.begin(), forms.end(), f) == forms.end()) forms.push_back(f);
  }
  return forms;
}

LoginPolicyReport PolicyReport(const LoginPolicy& policy) {
  LoginPolicyReport report;
  report.max_failed_per_run = policy.budget().per_run;
  report.max_failed_in_all = policy.budget().in_all;
  if (const LoginLedger* ledger = policy.ledger()) {
    report.window_seconds = ledger->window_seconds();
    report.ledger = ledger->path();
    report.ledger_warning = ledger->warning();
  }
  report.stopped = policy.stopped();
  report.realms = policy.Report();
  return report;
}

// Everything the workers and Run() share, guarded by mu.
class SetupEngine::State {
 public:
  State(const EmailAddress& address_in, const SetupOptions& options_in, LoginPolicy& policy_in)
      : address(address_in), options(options_in), policy(policy_in) {}

  const EmailAddress address;
  const SetupOptions& options;
  LoginPolicy& policy;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Target> targets;
  std::vector<std::pair<size_t, CheckResult>> results;  // target index, result
  // Candidates so far: streamed while discovery runs, its final list after.
  std::vector<ServerCandidate> candidates;
  std::map<std::string, size_t> running_per_host;
  bool discovery_done = false;
  bool stopped = false;  // Run() returned or the destructor runs
  bool settled[2] = {false, false};
  int last_side = 1;
  StopFlag stop_discovery = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> threads;

  // A password or an OAuth token: something to log in with.
  bool have_password() const { return options.password || options.oauth_token; }

  void AddCandidates(const std::vector<ServerCandidate>& found);
  void FinishDiscovery(const std::vector<ServerCandidate>& final_list);
  Standing Optimistic(const Target& t) const;
  bool Unfinished(const Target& t) const { return t.step != Target::Step::kDone; }
  bool AllDone() const;
  bool SideSettled(int side) const;
  void UpdateSettled();
  int PickRunnable();
  int Priority(const Target& target) const;
  // Tells the login policy every running target's current priority.
  void RefreshPriorities();
  bool HoldsBestTarget(const LoginRealm& realm) const;
  bool Finished() const { return (settled[0] && settled[1]) || (discovery_done && AllDone()); }

 private:
  void AddTarget(const ServerCandidate& base, uint16_t port, Security security);
};

void SetupEngine::State::AddTarget(const ServerCandidate& base, uint16_t port, Security security) {
  if (targets.size() >= options.max_targets) return;
  for (const Target& t : targets) {
    if (t.protocol == base.protocol && t.host == base.host && t.port == port &&
        t.security == security) {
      return;
    }
  }
  Target t;
  t.protocol = base.protocol;
  t.host = base.host;
  t.port = port;
  t.security = security;
  t.forms = options.username ? std::vector<std::string>{*options.username}
                             : UsernameForms(base.username, address);
  targets.push_back(std::move(t));
}

void SetupEngine::State::AddCandidates(const std::vector<ServerCandidate>& found) {
  for (const ServerCandidate& c : found) {
    const bool new_host = std::none_of(targets.begin(), targets.end(), [&](const Target& t) {
      return t.protocol == c.protocol && t.host == c.host;
    });
    if (!discovery_done) candidates.push_back(c);
    AddTarget(c, c.port, c.security);
    if (!new_host) continue;
    AddTarget(c, DefaultPort(c.protocol, Security::kTls), Security::kTls);
    AddTarget(c, DefaultPort(c.protocol, Security::kStartTls), Security::kStartTls);
    if (options.rank.allow_plaintext) {
      AddTarget(c, DefaultPort(c.protocol, Security::kPlain), Security::kPlain);
    }
  }
}

void SetupEngine::State::FinishDiscovery(const std::vector<ServerCandidate>& final_list) {
  discovery_done = true;
  candidates = final_list;
  // Discovery's answer is what counts: hosts it no longer names (a guess
  // another source made unnecessary) are not checked, unless already begun.
  for (Target& t : targets) {
    const bool named = std::any_of(final_list.begin(), final_list.end(), [&](const auto& c) {
      return c.protocol == t.protocol && c.host == t.host;
    });
    if (named || t.step != Target::Step::kQueued) continue;
    t.step = Target::Step::kDone;
    t.dropped = true;
  }
  AddCandidates(final_list);  // anything the sink missed
}

Standing SetupEngine::State::Optimistic(const Target& t) const {
  const int order = MatchCandidate(candidates, t.protocol, t.host, t.port, t.security);
  ServerCandidate shape;
  if (order >= 0) shape = candidates[order];
  shape.protocol = t.protocol;
  shape.host = t.host;
  shape.port = t.port;
  shape.security = t.security;
  Standing st = OptimisticStanding(shape, order >= 0 ? order : static_cast<int>(candidates.size()));
  if (!have_password()) {
    st.evidence = Evidence::kReachable;
  } else if (t.step == Target::Step::kQueued && policy.Closed(t.host)) {
    // No login will be tried there: at best it answers up to the login. (A
    // running check keeps its hope until it has reported: it may be the very
    // login whose answer closed the server.)
    st.evidence = Evidence::kHeldBack;
  }
  return st;
}

bool SetupEngine::State::AllDone() const {
  return std::none_of(targets.begin(), targets.end(),
                      [&](const Target& t) { return Unfinished(t); });
}

// Whether no unfinished target of a side can beat its best finished result.
bool SetupEngine::State::SideSettled(int side) const {
  if (!discovery_done) return false;
  std::optional<Standing> best;
  for (const auto& [index, result] : results) {
    if (targets[index].side() != side) continue;
    Standing st = StandingOf(result, candidates, static_cast<int>(candidates.size() + index));
    if (!Eligible(st, options.rank)) continue;
    if (!best || CompareStandings(st, *best, options.rank) < 0) best = st;
  }
  bool pending = false;
  for (const Target& t : targets) {
    if (t.side() != side || !Unfinished(t)) continue;
    pending = true;
    if (options.check_all || !best) return false;
    const Standing st = Optimistic(t);
    if (Eligible(st, options.rank) && CompareStandings(st, *best, options.rank) < 0) return false;
  }
  return best.has_value() || !pending;
}

// Marks sides settled and stops their remaining targets. Once the password
// is known to be wrong, nothing left can do better than answer up to the
// login (Optimistic), so a side settles as soon as its best remaining server
// has answered that far.
void SetupEngine::State::UpdateSettled() {
  for (int side = 0; side < 2; ++side) {
    if (settled[side] || !SideSettled(side)) continue;
    settled[side] = true;
    for (Target& t : targets) {
      if (t.side() != side || !Unfinished(t)) continue;
      t.cancel->store(true);
      if (t.step == Target::Step::kQueued) t.step = Target::Step::kDone;
    }
  }
  if (settled[0] && settled[1]) stop_discovery->store(true);
}

// Index of the queued target to start now, or -1: the most promising one
// whose host has a free connection, the sides taking turns.
int SetupEngine::State::PickRunnable() {
  int best[2] = {-1, -1};
  Standing best_standing[2];
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    if (t.step != Target::Step::kQueued) continue;
    auto it = running_per_host.find(t.host);
    if (it != running_per_host.end() && it->second >= options.per_host) continue;
    const Standing st = Optimistic(t);
    const int side = t.side();
    if (best[side] < 0 || CompareStandings(st, best_standing[side], options.rank) < 0) {
      best[side] = static_cast<int>(i);
      best_standing[side] = st;
    }
  }
  const int first = 1 - last_side;
  for (int side : {first, 1 - first}) {
    if (best[side] >= 0) {
      last_side = side;
      return best[side];
    }
  }
  return -1;
}

// Its place among the targets of its side: 0 for the most promising one;
// the incoming side first.
int SetupEngine::State::Priority(const Target& target) const {
  const Standing mine = Optimistic(target);
  int better = 0;
  for (const Target& t : targets) {
    if (t.side() != target.side() || &t == &target) continue;
    if (CompareStandings(Optimistic(t), mine, options.rank) < 0) ++better;
  }
  return target.side() * 100000 + better;
}

void SetupEngine::State::RefreshPriorities() {
  for (const Target& t : targets) {
    if (t.contender >= 0) policy.SetPriority(t.contender, Priority(t));
  }
}

// Whether the most promising target of a side is on one of realm's hosts.
bool SetupEngine::State::HoldsBestTarget(const LoginRealm& realm) const {
  for (int side = 0; side < 2; ++side) {
    const Target* best = nullptr;
    Standing best_standing;
    for (const Target& t : targets) {
      if (t.side() != side || t.dropped) continue;
      const Standing st = Optimistic(t);
      if (best == nullptr || CompareStandings(st, best_standing, options.rank) < 0) {
        best = &t;
        best_standing = st;
      }
    }
    if (best != nullptr && std::count(realm.hosts.begin(), realm.hosts.end(), best->host) > 0) {
      return true;
    }
  }
  return false;
}

SetupEngine::SetupEngine(DiscoverFn discover, CheckFn check, LoginPolicy& policy,
                         SetupOptions options)
    : discover_(std::move(discover)),
      check_(std::move(check)),
      policy_(policy),
      options_(std::move(options)) {}

SetupEngine::~SetupEngine() {
  if (!state_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopped = true;
    for (auto& t : state_->targets) t.cancel->store(true);
  }
  policy_.StopAll("Not tried: setup has finished");
  state_->cv.notify_all();
  for (auto& thread : state_->threads) {
    if (thread.joinable()) thread.join();
  }
}

namespace {

// One worker: takes targets until the run stops or nothing is left.
class Worker {
 public:
  Worker(std::shared_ptr<SetupEngine::State> state, const CheckFn& check, Deadline deadline)
      : state_(std::move(state)), check_(check), deadline_(deadline) {}

  void Loop();

 private:
  // Claims the next target (mu held); nullopt when the worker should end.
  std::optional<size_t> Claim(std::unique_lock<std::mutex>& lock);
  CheckRequest RequestFor(const Target& t) const;
  CheckResult RunCheck(const CheckRequest& request) const;
  bool Record(size_t index, const CheckRequest& request, CheckResult result);

  std::shared_ptr<SetupEngine::State> state_;
  const CheckFn& check_;
  const Deadline deadline_;
};

std::optional<size_t> Worker::Claim(std::unique_lock<std::mutex>& lock) {
  SetupEngine::State& s = *state_;
  for (;;) {
    if (s.stopped || s.Finished()) return std::nullopt;
    const int index = s.PickRunnable();
    if (index < 0) {
      s.cv.wait_for(lock, kWorkerPoll);
      continue;
    }
    Target& t = s.targets[index];
    t.step = Target::Step::kRunning;
    ++t.attempts;
    ++s.running_per_host[t.host];
    return static_cast<size_t>(index);
  }
}

CheckRequest Worker::RequestFor(const Target& t) const {
  const SetupOptions& options = state_->options;
  CheckRequest request;
  request.protocol = t.protocol;
  request.host = t.host;
  request.port = t.port;
  request.security = t.security;
  // Without a password nothing logs in: no username either.
  if ((options.password || options.oauth_token) && !t.forms.empty()) {
    request.username = t.forms.front();
  }
  request.password = options.password;
  request.oauth_token = options.oauth_token;
  request.oauth_token_expiry = options.oauth_token_expiry;
  request.allow_plaintext = options.rank.allow_plaintext;
  request.transcript = options.transcript;
  request.timeouts = options.timeouts;
  request.overall = deadline_;
  request.cancelled = t.cancel;
  return request;
}

CheckResult Worker::RunCheck(const CheckRequest& request) const {
  try {
    return check_(request);
  } catch (const std::exception& e) {
    CheckResult result;
    result.protocol = request.protocol;
    result.host = request.host;
    result.port = request.port;
    result.security = request.security;
    result.error = Error::Make(ErrorKind::kProtocol, std::string("internal error: ") + e.what());
    return result;
  }
}

// Records one finished attempt (mu held). Returns whether the same target
// should be tried again at once with its next username form: the server
// rejected this one, and the login policy still allows another.
bool Worker::Record(size_t index, const CheckRequest& request, CheckResult result) {
  SetupEngine::State& s = *state_;
  Target& t = s.targets[index];
  if (s.stopped) return false;
  // A check stopped because the run was settled is not reported as such
  // (the report says "not needed"); one the login policy held back after the
  // password was found wrong is: it shows how far that server got.
  const bool wrong_password = !s.policy.stopped().empty();
  const bool cancelled = t.cancel->load() && result.error &&
                         (result.error->phase == Phase::kCancelled ||
                          (result.error->kind == ErrorKind::kNotTried && !wrong_password));
  if (cancelled) return false;
  const bool rejected = result.error && result.error->kind == ErrorKind::kAuth;
  if (s.options.progress) s.options.progress(ProgressLine(t, request, result));
  s.results.emplace_back(index, std::move(result));
  return rejected && t.attempts < t.forms.size() && !t.cancel->load() && !s.policy.Closed(t.host);
}

void Worker::Loop() {
  SetupEngine::State& s = *state_;
  for (;;) {
    size_t index = 0;
    CheckRequest request;
    int contender = -1;
    {
      std::unique_lock<std::mutex> lock(s.mu);
      std::optional<size_t> claimed = Claim(lock);
      if (!claimed) return;
      index = *claimed;
      const Target& t = s.targets[index];
      request = RequestFor(t);
      if (s.have_password()) {
        contender = s.policy.Enter(t.host, s.Priority(t));
        s.targets[index].contender = contender;
      }
    }
    // Every username form this target gets, one connection each, while this
    // worker holds it: the host's other checks wait for its verdict.
    for (bool again = true; again;) {
      std::unique_ptr<LoginGate> gate;
      if (contender >= 0) {
        std::lock_guard<std::mutex> lock(s.mu);
        const Target& t = s.targets[index];
        gate = s.policy.GateFor(t.host, t.forms, t.cancel, contender);
        request.login_gate = gate.get();
      }
      CheckResult result = RunCheck(request);
      std::lock_guard<std::mutex> lock(s.mu);
      again = Record(index, request, std::move(result));
      if (again) ++s.targets[index].attempts;
    }
    request.password.reset();
    request.oauth_token.reset();
    {
      std::lock_guard<std::mutex> lock(s.mu);
      Target& t = s.targets[index];
      --s.running_per_host[t.host];
      t.step = Target::Step::kDone;
      t.contender = -1;
      s.UpdateSettled();
      s.cv.notify_all();
    }
    // Only now may the host's other logins go: if this result settled the
    // run, they have been cancelled first and log in nowhere.
    if (contender >= 0) s.policy.Leave(contender);
  }
}

// The report's checks: every result, then a stub for each target that never
// finished, in target order.
std::vector<CheckResult> CollectChecks(SetupEngine::State& s, bool out_of_time) {
  std::vector<std::pair<size_t, CheckResult>> results = s.results;
  for (size_t i = 0; i < s.targets.size(); ++i) {
    const Target& t = s.targets[i];
    if (t.dropped) continue;
    const bool any =
        std::any_of(results.begin(), results.end(), [i](const auto& r) { return r.first == i; });
    if (any) continue;
    if (out_of_time) {
      results.emplace_back(i, Stub(t, Error::Make(ErrorKind::kTimeout,
                                                  "Not finished within the time limit (--timeout)",
                                                  "", Phase::kOverall)));
    } else {
      const std::string stopped = s.policy.stopped();
      results.emplace_back(
          i, Stub(t, Error::Make(ErrorKind::kNotTried,
                                 !stopped.empty()
                                     ? stopped
                                     : "Not needed: stopped early because a better setting "
                                       "was already verified",
                                 "", !stopped.empty() ? Phase::kSkipped : Phase::kCancelled)));
    }
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CheckResult> checks;
  checks.reserve(results.size());
  for (auto& [index, result] : results) checks.push_back(std::move(result));
  return checks;
}

// Without a login the username is the one a mail client would be given:
// --user, else the full address (when no source named a form).
void FillUsernames(Recommendation& rec, const std::string& fallback) {
  for (auto* side : {&rec.incoming, &rec.outgoing}) {
    if (*side && (*side)->username.empty()) (*side)->username = fallback;
  }
  for (auto* list : {&rec.incoming_alternatives, &rec.outgoing_alternatives}) {
    for (auto& setting : *list) {
      if (setting.username.empty()) setting.username = fallback;
    }
  }
}

}  // namespace

SetupReport SetupEngine::Run(const EmailAddress& address, Deadline deadline) {
  const Clock::time_point start = Clock::now();
  state_ = std::make_shared<State>(address, options_, policy_);
  State& s = *state_;
  std::weak_ptr<State> weak = state_;
  // No password is sent before discovery has named every server (at most
  // the policy's grace): the best one goes first.
  policy_.HoldLogins(true);
  policy_.set_on_outcome([weak](const LoginRealm& realm) {
    if (auto state = weak.lock()) {
      std::lock_guard<std::mutex> lock(state->mu);
      // The best server rejected every username form: the password is
      // wrong, and no other server is asked.
      // (The worker that made this attempt records it and settles the run.)
      if (realm.wrong_password && state->HoldsBestTarget(realm)) {
        state->policy.StopAll(realm.closed + "; the password is wrong");
      }
    }
  });
  for (size_t i = 0; i < std::max<size_t>(options_.max_parallel, 1); ++i) {
    s.threads.emplace_back(
        [state = state_, this, deadline] { Worker(state, check_, deadline).Loop(); });
  }
  CandidateSink sink = [weak](const std::vector<ServerCandidate>& found) {
    if (auto state = weak.lock()) {
      std::lock_guard<std::mutex> lock(state->mu);
      if (state->discovery_done || state->stopped) return;
      state->AddCandidates(found);
      state->RefreshPriorities();
      state->cv.notify_all();
    }
  };

  SetupReport report;
  report.password_given = options_.password || options_.oauth_token;
  report.display_name = options_.display_name;
  report.discovery = discover_(address, deadline, sink, s.stop_discovery);
  if (options_.progress) {
    options_.progress("Discovery found " + std::to_string(report.discovery.candidates.size()) +
                      " candidate servers in " + std::to_string(MsSince(start)) + " ms");
  }
  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.FinishDiscovery(report.discovery.candidates);
    s.RefreshPriorities();
    policy_.HoldLogins(false);
    s.UpdateSettled();
    s.cv.notify_all();
    s.cv.wait_until(lock, deadline.at(), [&] { return s.Finished(); });
    s.stopped = true;
    for (auto& t : s.targets) t.cancel->store(true);
    const bool out_of_time = !s.Finished();
    report.checks = CollectChecks(s, out_of_time);
    if (out_of_time) {
      report.warnings.push_back(
          "Setup ran out of time before every check finished; a longer --timeout may find more.");
    }
  }
  s.cv.notify_all();
  report.login_policy = PolicyReport(policy_);
  report.recommended = Recommend(report.discovery.candidates, report.checks, options_.rank);
  FillUsernames(report.recommended, options_.username.value_or(address.ascii()));
  report.ms = MsSince(start);
  return report;
}

}  // namespace mailscout
