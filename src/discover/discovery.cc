#include "discover/discovery.h"

#include <algorithm>
#include <map>

#include "discover/merge.h"
#include "discover/provider_db.h"
#include "discover/run_state.h"
#include "discover/task_pool.h"

namespace mailscout {

class Discovery::Impl {
 public:
  Impl(Resolver& resolver, HttpClient& http, Prober* prober, const ProviderDb& providers,
       const DiscoveryOptions& options)
      : pool(options.max_threads), env{resolver, http, prober, providers, options, pool} {}

  // Declared first so it is destroyed last: its destructor joins the
  // workers, which use env.
  TaskPool pool;
  DiscoveryEnv env;
};

namespace {

constexpr int64_t kProgressEveryMs = 200;
// How often Run() looks at its caller's stop flag.
constexpr int64_t kStopPollMs = 50;

using SourceFn = void (*)(SourceTask&);

SourceFn FunctionFor(SlotId slot) {
  switch (slot) {
    case SlotId::kProviders:
      return RunProvidersSource;
    case SlotId::kAutoconfig:
    case SlotId::kAutoconfigHttp:
      return RunAutoconfigSource;
    case SlotId::kWellKnown:
    case SlotId::kWellKnownHttp:
      return RunWellKnownSource;
    case SlotId::kIspdb:
      return RunIspdbSource;
    case SlotId::kAutodiscover:
      return RunAutodiscoverSource;
    case SlotId::kSrv:
      return RunSrvSource;
    case SlotId::kMx:
      return RunMxSource;
    case SlotId::kGuess:
      return RunGuessSource;
  }
  return nullptr;
}

Source SourceOf(SlotId slot) {
  switch (slot) {
    case SlotId::kProviders:
      return Source::kProviders;
    case SlotId::kAutoconfig:
    case SlotId::kAutoconfigHttp:
      return Source::kAutoconfig;
    case SlotId::kWellKnown:
    case SlotId::kWellKnownHttp:
      return Source::kWellKnown;
    case SlotId::kIspdb:
      return Source::kIspdb;
    case SlotId::kAutodiscover:
      return Source::kAutodiscover;
    case SlotId::kSrv:
      return Source::kSrv;
    case SlotId::kMx:
      return Source::kMx;
    case SlotId::kGuess:
      return Source::kGuess;
  }
  return Source::kGuess;
}

// Why a slot is not run at all, or "" to run it.
std::string SkipReason(SlotId slot, const DiscoveryOptions& options, bool have_prober) {
  if (slot == SlotId::kProviders) return "";
  if (options.offline) return "--offline";
  if (options.skip.count(SourceOf(slot)) > 0) {
    return "--skip " + std::string(ToString(SourceOf(slot)));
  }
  if ((slot == SlotId::kAutoconfigHttp || slot == SlotId::kWellKnownHttp) &&
      !options.http_fallback) {
    return "plain http disabled";
  }
  if (slot == SlotId::kGuess) {
    if (!options.guess) return "--no-guess";
    if (!have_prober) return "no prober available";
  }
  return "";
}

struct Coverage {
  bool incoming = false;
  bool outgoing = false;
  void Add(const Slot& slot) {
    for (const auto& c : slot.candidates) {
      if (c.source == Source::kGuess) continue;
      if (c.protocol == Protocol::kSmtp) {
        outgoing = true;
      } else {
        incoming = true;
      }
    }
  }
  bool complete() const { return incoming && outgoing; }
};

// answered_by when the caller's stop flag ended the run.
constexpr int kStoppedByCaller = kSlotCount;

// Whether Run() may return now (state->mu held). *answered_by names the
// slot whose answer completed the picture, when that is why.
bool Settled(RunState& state, bool wait_for_all, int* answered_by) {
  *answered_by = -1;
  if (state.deadline.expired()) return true;
  if (state.stop && state.stop->load()) {
    *answered_by = kStoppedByCaller;
    return true;
  }
  if (!wait_for_all) {
    Coverage coverage;
    for (int i = 0; i < kSlotCount; ++i) {
      const Slot& s = state.slots[i];
      if (s.started && !s.finished) break;
      coverage.Add(s);
      const bool nothing_offered =
          i == static_cast<int>(SlotId::kProviders) && state.no_mail_access;
      if (coverage.complete() || nothing_offered) {
        *answered_by = i;
        return true;
      }
    }
  }
  for (const Slot& s : state.slots) {
    if (s.started && !s.finished) return false;
  }
  return true;
}

std::vector<SourceStatus> Snapshot(RunState& state, bool final, int answered_by) {
  std::vector<SourceStatus> out;
  for (int i = 0; i < kSlotCount; ++i) {
    const Slot& s = state.slots[i];
    SourceStatus status;
    status.name = SlotName(static_cast<SlotId>(i));
    std::string detail;
    for (const auto& note : s.notes) detail += (detail.empty() ? "" : "; ") + note;
    if (!s.started) {
      status.status = "skipped";
      detail = s.skip_reason;
    } else if (!s.finished) {
      status.ms = MsSince(s.start);
      if (!final) {
        status.status = "running";
      } else if (answered_by == kStoppedByCaller) {
        status.status = "skipped";
        detail =
            "not waited for: setup already had its answer" + (detail.empty() ? "" : "; " + detail);
      } else if (answered_by >= 0) {
        status.status = "skipped";
        detail = std::string("not waited for: ") + SlotName(static_cast<SlotId>(answered_by)) +
                 " and the sources above it answered first" + (detail.empty() ? "" : "; " + detail);
      } else {
        status.status = "timeout";
        detail = "still running when the time ran out (--timeout)" +
                 (detail.empty() ? "" : "; " + detail);
      }
    } else {
      status.ms = s.ms;
      if (!s.candidates.empty()) {
        status.status = "found";
      } else if (s.timed_out) {
        status.status = "timeout";
      } else if (s.failed) {
        status.status = "error";
      } else {
        status.status = "none";
      }
    }
    status.detail = std::move(detail);
    out.push_back(std::move(status));
  }
  return out;
}

DiscoveryResult BuildResult(RunState& state, int answered_by) {
  const DiscoveryOptions& options = state.env.options;
  DiscoveryResult result;
  result.email = state.address.display();
  result.domain = state.address.ascii_domain();
  result.sources = Snapshot(state, /*final=*/true, answered_by);

  std::vector<ServerCandidate> all;
  for (const Slot& s : state.slots) {
    // Sources not waited for add nothing, so the answer does not depend on
    // how far they got; sources cut off by the deadline add what they had.
    if (s.started && !s.finished && answered_by >= 0) continue;
    for (const auto& c : s.candidates) all.push_back(c);
  }
  std::set<Protocol> answered;
  for (const auto& c : all) {
    if (c.source != Source::kGuess) answered.insert(c.protocol);
  }
  all.erase(std::remove_if(all.begin(), all.end(),
                           [&](const ServerCandidate& c) {
                             if (c.source != Source::kGuess) return false;
                             if (!options.guess_always && answered.count(c.protocol) > 0) {
                               return true;
                             }
                             const Security service =
                                 c.security == Security::kPlain ? Security::kStartTls : c.security;
                             return state.not_offered.count({c.protocol, service}) > 0;
                           }),
            all.end());
  result.candidates = MergeCandidates(std::move(all));
  if (state.provider) result.provider = state.provider->info;
  if (result.provider && state.no_mail_access) {
    const ProviderInfo& p = *result.provider;
    result.warnings.push_back(
        (p.display_name.empty() ? state.address.unicode_domain() : p.display_name) +
        " offers no IMAP, POP3 or SMTP access for " + state.address.display() +
        ": use the provider's own apps or web mail" +
        (p.documentation_url.empty() ? "." : " (see " + p.documentation_url + ")."));
  }
  if (result.provider) {
    if (auto warning = LoginPolicyWarning(*result.provider, state.address)) {
      result.warnings.push_back(*warning);
    }
  }
  for (auto& w : TrustWarnings(result.candidates, state.address)) {
    result.warnings.push_back(std::move(w));
  }
  return result;
}

}  // namespace

Discovery::Discovery(Resolver& resolver, HttpClient& http, Prober* prober,
                     const ProviderDb& providers, DiscoveryOptions options)
    : options_(std::move(options)),
      impl_(std::make_unique<Impl>(resolver, http, prober, providers, options_)) {}

Discovery::~Discovery() = default;

DiscoveryResult Discovery::Run(const EmailAddress& address, Deadline deadline,
                               const ProgressFn& progress, const CandidateSink& sink,
                               const StopFlag& stop) const {
  auto state = std::make_shared<RunState>(impl_->env, address, deadline, sink, stop);
  std::vector<SlotId> to_start;
  for (int i = 0; i < kSlotCount; ++i) {
    const SlotId slot = static_cast<SlotId>(i);
    std::string reason = SkipReason(slot, options_, impl_->env.prober != nullptr);
    if (!reason.empty()) {
      state->slot(slot).skip_reason = reason;
    } else {
      to_start.push_back(slot);
    }
  }

  // The bundled database answers at once; when it settles the question
  // nothing else is started.
  {
    Slot& providers = state->slot(SlotId::kProviders);
    providers.started = true;
    providers.start = Clock::now();
    SourceTask task(state, SlotId::kProviders);
    RunProvidersSource(task);
    providers.finished = true;
    providers.ms = MsSince(providers.start);
  }
  int answered_by = -1;
  bool settled_early = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    settled_early = !options_.wait_for_all && Settled(*state, false, &answered_by) &&
                    answered_by >= 0 && answered_by < kStoppedByCaller;
  }
  for (SlotId slot : to_start) {
    if (slot == SlotId::kProviders) continue;
    if (settled_early) {
      state->slot(slot).skip_reason = "not needed: the provider database answered";
      continue;
    }
    SourceTask::Start(state, slot, FunctionFor(slot));
  }

  std::unique_lock<std::mutex> lock(state->mu);
  auto next_progress = Clock::now() + Millis(kProgressEveryMs);
  while (!Settled(*state, options_.wait_for_all, &answered_by)) {
    auto wake = std::min(deadline.at(), next_progress);
    if (stop) wake = std::min(wake, Clock::now() + Millis(kStopPollMs));
    state->cv.wait_until(lock, wake);
    if (Clock::now() >= next_progress) {
      if (progress) {
        std::vector<SourceStatus> snapshot = Snapshot(*state, false, -1);
        lock.unlock();
        progress(snapshot);
        lock.lock();
      }
      next_progress = Clock::now() + Millis(kProgressEveryMs);
    }
  }
  state->cancel->store(true);
  state->done = true;
  state->cv.notify_all();
  return BuildResult(*state, answered_by);
}

}  // namespace mailscout
