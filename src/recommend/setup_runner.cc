#include "recommend/setup_runner.h"

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

using HostKey = std::pair<Protocol, std::string>;

// How long one login attempt on a (protocol, host) holds back the others.
constexpr Millis kSerialGrace{1000};
// How often waiting workers look again (held targets become runnable by time).
constexpr Millis kWorkerPoll{50};

struct Target {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::vector<std::string> forms;  // username forms, in order
  std::set<std::string> tried;     // forms already tried on this target
  Standing optimistic;
  enum class Phase { kQueued, kRunning, kDone } phase = Phase::kQueued;
  std::string skipped;  // why it ended without a check, if it did
  CancelFlag cancel = MakeCancelFlag();
  Clock::time_point started;  // of the running attempt

  bool incoming() const { return protocol != Protocol::kSmtp; }
  HostKey host_key() const { return {protocol, host}; }
};

std::string Describe(Protocol p, const std::string& host, uint16_t port, Security s) {
  return std::string(DisplayName(p)) + " " + host + ":" + std::to_string(port) + " " +
         std::string(ClientWords(s));
}

// Builds the targets from the candidates, best first per side, the two sides
// interleaved so that each gets a worker early.
std::vector<Target> BuildTargets(const DiscoveryResult& d, const EmailAddress& address,
                                 const SetupOptions& options) {
  std::vector<Target> all;
  std::set<std::tuple<Protocol, std::string, uint16_t, Security>> seen;
  auto add = [&](const ServerCandidate& base, uint16_t port, Security security) {
    if (!seen.insert({base.protocol, base.host, port, security}).second) return;
    Target t;
    t.protocol = base.protocol;
    t.host = base.host;
    t.port = port;
    t.security = security;
    if (options.username) {
      t.forms = {*options.username};
    } else {
      t.forms = UsernameForms(base.username, address);
    }
    ServerCandidate shape = base;
    shape.port = port;
    shape.security = security;
    int order = MatchCandidate(d.candidates, base.protocol, base.host, port, security);
    t.optimistic = OptimisticStanding(shape, order);
    if (!options.password) t.optimistic.evidence = Evidence::kReachable;
    all.push_back(std::move(t));
  };
  for (const auto& c : d.candidates) add(c, c.port, c.security);
  std::set<HostKey> hosts;
  for (const auto& c : d.candidates) {
    if (!hosts.insert({c.protocol, c.host}).second) continue;
    add(c, DefaultPort(c.protocol, Security::kTls), Security::kTls);
    add(c, DefaultPort(c.protocol, Security::kStartTls), Security::kStartTls);
    if (options.rank.allow_plaintext) {
      add(c, DefaultPort(c.protocol, Security::kPlain), Security::kPlain);
    }
  }
  std::vector<Target> in, out;
  for (auto& t : all) (t.incoming() ? in : out).push_back(std::move(t));
  auto by_promise = [&](const Target& a, const Target& b) {
    return CompareStandings(a.optimistic, b.optimistic, options.rank) < 0;
  };
  std::stable_sort(in.begin(), in.end(), by_promise);
  std::stable_sort(out.begin(), out.end(), by_promise);
  std::vector<Target> targets;
  for (size_t i = 0; i < std::max(in.size(), out.size()); ++i) {
    if (i < in.size()) targets.push_back(std::move(in[i]));
    if (i < out.size()) targets.push_back(std::move(out[i]));
  }
  if (targets.size() > options.max_targets) targets.resize(options.max_targets);
  return targets;
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

// Everything the workers and Run() share, guarded by mu.
class SetupRunner::State {
 public:
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Target> targets;
  std::vector<std::pair<size_t, CheckResult>> results;  // target index, result
  std::vector<ServerCandidate> candidates;
  std::map<std::string, size_t> running_per_host;
  std::map<HostKey, std::string> known_good;
  std::map<HostKey, std::set<std::string>> rejected;
  bool stopped = false;
  bool settled[2] = {false, false};  // incoming, outgoing
  std::vector<std::thread> threads;

  // The next username form for a target, or nullopt when none is left.
  std::optional<std::string> NextForm(const Target& t, bool have_password) const {
    if (!have_password) {
      return t.tried.empty() ? std::optional<std::string>("") : std::nullopt;
    }
    auto good = known_good.find(t.host_key());
    if (good != known_good.end()) {
      if (t.tried.count(good->second)) return std::nullopt;
      return good->second;
    }
    auto rej = rejected.find(t.host_key());
    for (const auto& f : t.forms) {
      if (t.tried.count(f)) continue;
      if (rej != rejected.end() && rej->second.count(f)) continue;
      return f;
    }
    return std::nullopt;
  }

  bool Unfinished(const Target& t) const { return t.phase != Target::Phase::kDone; }

  bool AllDone() const {
    for (const auto& t : targets) {
      if (Unfinished(t)) return false;
    }
    return true;
  }

  // Whether no unfinished target of a side can beat its best finished result.
  bool SideSettled(bool incoming, const SetupOptions& options) const {
    std::optional<Standing> best;
    for (const auto& [index, result] : results) {
      if (targets[index].incoming() != incoming) continue;
      Standing st = StandingOf(result, candidates, static_cast<int>(candidates.size() + index));
      if (!Eligible(st, options.rank)) continue;
      if (!best || CompareStandings(st, *best, options.rank) < 0) best = st;
    }
    bool pending = false;
    for (const auto& t : targets) {
      if (t.incoming() != incoming || !Unfinished(t)) continue;
      pending = true;
      if (options.check_all || !best) return false;
      if (Eligible(t.optimistic, options.rank) &&
          CompareStandings(t.optimistic, *best, options.rank) < 0) {
        return false;
      }
    }
    return best.has_value() || !pending;
  }

  // Marks sides settled and stops their remaining targets.
  void UpdateSettled(const SetupOptions& options) {
    for (int side = 0; side < 2; ++side) {
      if (settled[side] || !SideSettled(side == 0, options)) continue;
      settled[side] = true;
      for (auto& t : targets) {
        if (t.incoming() != (side == 0) || !Unfinished(t)) continue;
        t.cancel->store(true);
        if (t.phase == Target::Phase::kQueued) t.phase = Target::Phase::kDone;
      }
    }
  }

  // Index of a queued target that may start now, or -1. With a password,
  // a (protocol, host) gets one login at a time until a username form is
  // known to work there, so a wrong password or form costs one failed login
  // per form on that host rather than one per port (servers count failures
  // and lock accounts). A check running longer than kSerialGrace is taken
  // to be stuck before its login (tarpit, dropped SYN) and no longer holds
  // the others back.
  int Runnable(size_t per_host, bool have_password) const {
    const Clock::time_point now = Clock::now();
    for (size_t i = 0; i < targets.size(); ++i) {
      const Target& t = targets[i];
      if (t.phase != Target::Phase::kQueued) continue;
      auto it = running_per_host.find(t.host);
      if (it != running_per_host.end() && it->second >= per_host) continue;
      if (have_password && !known_good.count(t.host_key())) {
        bool held = std::any_of(targets.begin(), targets.end(), [&](const Target& other) {
          return other.phase == Target::Phase::kRunning && other.host_key() == t.host_key() &&
                 now - other.started < kSerialGrace;
        });
        if (held) continue;
      }
      return static_cast<int>(i);
    }
    return -1;
  }
};

SetupRunner::SetupRunner(DiscoverFn discover, CheckFn check, SetupOptions options)
    : discover_(std::move(discover)),
      check_(std::move(check)),
      options_(std::move(options)),
      state_(std::make_shared<State>()) {}

SetupRunner::~SetupRunner() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopped = true;
    for (auto& t : state_->targets) t.cancel->store(true);
  }
  state_->cv.notify_all();
  for (auto& thread : state_->threads) {
    if (thread.joinable()) thread.join();
  }
}

SetupReport SetupRunner::Run(const EmailAddress& address, Deadline deadline) {
  const Clock::time_point start = Clock::now();
  SetupReport report;
  report.password_given = options_.password.has_value();
  report.display_name = options_.display_name;
  report.discovery = discover_(address, deadline);
  const bool have_password = options_.password.has_value();
  auto progress = [this](const std::string& line) {
    if (options_.progress) options_.progress(line);
  };
  progress("Discovery found " + std::to_string(report.discovery.candidates.size()) +
           " candidate servers in " + std::to_string(MsSince(start)) + " ms; checking them");

  State& s = *state_;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.candidates = report.discovery.candidates;
    s.targets = BuildTargets(report.discovery, address, options_);
  }

  auto worker = [this, have_password, deadline, state = state_, progress]() {
    State& s = *state;
    for (;;) {
      size_t index = 0;
      CheckRequest request;
      {
        std::unique_lock<std::mutex> lock(s.mu);
        while (!(s.stopped || s.AllDone() || s.Runnable(options_.per_host, have_password) >= 0)) {
          s.cv.wait_for(lock, kWorkerPoll);
        }
        if (s.stopped || s.AllDone()) return;
        index = static_cast<size_t>(s.Runnable(options_.per_host, have_password));
        Target& t = s.targets[index];
        std::optional<std::string> form = s.NextForm(t, have_password);
        if (!form) {
          t.phase = Target::Phase::kDone;
          t.skipped = "Not tried: this host already rejected every username form";
          s.UpdateSettled(options_);
          s.cv.notify_all();
          continue;
        }
        t.phase = Target::Phase::kRunning;
        t.tried.insert(*form);
        ++s.running_per_host[t.host];
        t.started = Clock::now();
        request.protocol = t.protocol;
        request.host = t.host;
        request.port = t.port;
        request.security = t.security;
        request.username = *form;
        request.password = options_.password;
        request.allow_plaintext = options_.rank.allow_plaintext;
        request.transcript = options_.transcript;
        request.timeouts = options_.timeouts;
        request.overall = deadline;
        request.cancelled = t.cancel;
      }
      CheckResult result;
      try {
        result = check_(request);
      } catch (const std::exception& e) {
        result.protocol = request.protocol;
        result.host = request.host;
        result.port = request.port;
        result.security = request.security;
        result.error =
            Error::Make(ErrorKind::kProtocol, std::string("internal error: ") + e.what());
      }
      request.password.reset();
      std::lock_guard<std::mutex> lock(s.mu);
      Target& t = s.targets[index];
      --s.running_per_host[t.host];
      if (s.stopped) {
        t.phase = Target::Phase::kDone;
        s.cv.notify_all();
        continue;
      }
      bool cancelled = t.cancel->load() && result.error &&
                       result.error->kind == ErrorKind::kTimeout &&
                       result.error->phase == Phase::kCancelled;
      if (!cancelled) s.results.emplace_back(index, result);
      t.phase = Target::Phase::kDone;
      if (result.login_ok) {
        s.known_good[t.host_key()] = request.username;
      } else if (have_password && result.error && result.error->kind == ErrorKind::kAuth) {
        s.rejected[t.host_key()].insert(request.username);
        if (!t.cancel->load() && s.NextForm(t, have_password)) t.phase = Target::Phase::kQueued;
      }
      if (!cancelled) {
        std::string line = Describe(t.protocol, t.host, t.port, t.security) + ": ";
        if (result.login_ok) {
          line += "login OK as " + request.username;
        } else if (result.ok) {
          line += "works up to the login";
        } else if (result.error) {
          line += result.error->message;
        }
        progress(line + " (" + std::to_string(result.ms) + " ms)");
      }
      s.UpdateSettled(options_);
      s.cv.notify_all();
    }
  };

  {
    std::unique_lock<std::mutex> lock(s.mu);
    s.UpdateSettled(options_);
    size_t n = std::min(options_.max_parallel, s.targets.size());
    for (size_t i = 0; i < n; ++i) s.threads.emplace_back(worker);
    s.cv.wait_until(lock, deadline.at(),
                    [&] { return (s.settled[0] && s.settled[1]) || s.AllDone(); });
    s.stopped = true;
    for (auto& t : s.targets) t.cancel->store(true);

    const bool out_of_time = !(s.settled[0] && s.settled[1]) && !s.AllDone();
    std::vector<std::pair<size_t, CheckResult>> results = s.results;
    for (size_t i = 0; i < s.targets.size(); ++i) {
      const Target& t = s.targets[i];
      bool any =
          std::any_of(results.begin(), results.end(), [i](const auto& r) { return r.first == i; });
      if (any) continue;
      CheckResult stub;
      stub.protocol = t.protocol;
      stub.host = t.host;
      stub.port = t.port;
      stub.security = t.security;
      stub.error =
          !t.skipped.empty() ? Error::Make(ErrorKind::kAuth, t.skipped, "", Phase::kSkipped)
          : out_of_time
              ? Error::Make(ErrorKind::kTimeout, "Not finished within the time limit (--timeout)",
                            "", Phase::kOverall)
              : Error::Make(ErrorKind::kTimeout,
                            "Not needed: stopped early because a better setting was "
                            "already verified",
                            "", Phase::kCancelled);
      results.emplace_back(i, std::move(stub));
    }
    std::stable_sort(results.begin(), results.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [index, result] : results) report.checks.push_back(std::move(result));
    if (out_of_time) {
      report.warnings.push_back(
          "Setup ran out of time before every check finished; a longer --timeout may find more.");
    }
  }
  s.cv.notify_all();

  report.recommended = Recommend(report.discovery.candidates, report.checks, options_.rank);
  // Without a login the username is the one a mail client would be given:
  // --user, else the full address (when no source named a form).
  const std::string fallback_user = options_.username.value_or(address.ascii());
  for (auto* side : {&report.recommended.incoming, &report.recommended.outgoing}) {
    if (*side && (*side)->username.empty()) (*side)->username = fallback_user;
  }
  for (auto* list :
       {&report.recommended.incoming_alternatives, &report.recommended.outgoing_alternatives}) {
    for (auto& setting : *list) {
      if (setting.username.empty()) setting.username = fallback_user;
    }
  }
  report.ms = MsSince(start);
  return report;
}

}  // namespace mailscout
