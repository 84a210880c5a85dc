#include "discover/run_state.h"

#include "discover/task_pool.h"

namespace mailscout {

const char* SlotName(SlotId slot) {
  switch (slot) {
    case SlotId::kProviders:
      return "providers";
    case SlotId::kAutoconfig:
      return "autoconfig";
    case SlotId::kWellKnown:
      return "well-known";
    case SlotId::kIspdb:
      return "ispdb";
    case SlotId::kAutodiscover:
      return "autodiscover";
    case SlotId::kSrv:
      return "srv";
    case SlotId::kMx:
      return "mx";
    case SlotId::kAutoconfigHttp:
      return "autoconfig-http";
    case SlotId::kWellKnownHttp:
      return "well-known-http";
    case SlotId::kGuess:
      return "guess";
  }
  return "?";
}

RunState::RunState(const DiscoveryEnv& env_in, EmailAddress address_in, Deadline deadline_in,
                   CandidateSink sink_in, StopFlag stop_in)
    : env(env_in),
      address(std::move(address_in)),
      deadline(deadline_in),
      cancel(std::make_shared<std::atomic<bool>>(false)),
      sink(std::move(sink_in)),
      stop(std::move(stop_in)) {}

bool SourceTask::cancelled() const { return cancel()->load() || state_->deadline.expired(); }

Deadline SourceTask::StepDeadline(int64_t ms) const { return state_->deadline.Cap(Millis(ms)); }

void SourceTask::Add(std::vector<ServerCandidate> candidates) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->done) return;
    Slot& slot = state_->slot(slot_);
    for (const auto& c : candidates) {
      if (c.source != Source::kGuess) state_->answered.insert(c.protocol);
      slot.candidates.push_back(c);
    }
  }
  if (state_->sink && !candidates.empty()) state_->sink(candidates);
}

bool SourceTask::stop_requested() const { return state_->stop && state_->stop->load(); }

void SourceTask::Note(std::string note) {
  std::lock_guard<std::mutex> lock(state_->mu);
  Slot& slot = state_->slot(slot_);
  if (slot.notes.size() < 64) slot.notes.push_back(std::move(note));
}

void SourceTask::Problem(const std::string& what, const Error& error) {
  std::lock_guard<std::mutex> lock(state_->mu);
  Slot& slot = state_->slot(slot_);
  switch (error.kind) {
    case ErrorKind::kTimeout:
      slot.timed_out = true;
      break;
    case ErrorKind::kDns:
      // A name that does not exist (or has no such records) is an answer;
      // an unreachable or failing DNS server (or an invalid name) is not.
      if (error.dns != DnsOutcome::kNxDomain && error.dns != DnsOutcome::kNoRecords) {
        slot.failed = true;
      }
      break;
    case ErrorKind::kRefused:
      break;
    default:
      slot.failed = true;
  }
  if (slot.notes.size() < 64) slot.notes.push_back(what + ": " + error.message);
}

void SourceTask::MarkNotOffered(Protocol protocol, Security security) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->not_offered.insert({protocol, security});
}

bool SourceTask::IsNotOffered(Protocol protocol, Security security) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->not_offered.count({protocol, security}) > 0;
}

bool SourceTask::Answered(Protocol protocol) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->answered.count(protocol) > 0;
}

void SourceTask::OfferProvider(const ProviderInfo& info, int rank) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!state_->provider || rank < state_->provider->rank) state_->provider = {info, rank};
}

void SourceTask::MarkNoMailAccess() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->no_mail_access = true;
}

void SourceTask::WaitForSlot(SlotId other, Deadline deadline) const {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_until(lock, deadline.at(), [&] {
    const Slot& s = state_->slot(other);
    return !s.started || s.finished || state_->cancel->load() || state_->done;
  });
}

void SourceTask::Spawn(std::function<void(SourceTask&)> fn) const {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    ++state_->slot(slot_).pending;
  }
  auto state = state_;
  const SlotId slot = slot_;
  state->env.pool.Submit([state, slot, fn = std::move(fn)] { RunTask(state, slot, fn); });
}

void SourceTask::Start(const std::shared_ptr<RunState>& state, SlotId slot,
                       std::function<void(SourceTask&)> fn) {
  {
    std::lock_guard<std::mutex> lock(state->mu);
    Slot& s = state->slot(slot);
    s.started = true;
    s.start = Clock::now();
    s.pending = 1;
  }
  state->env.pool.Submit([state, slot, fn = std::move(fn)] { RunTask(state, slot, fn); });
}

void SourceTask::RunTask(const std::shared_ptr<RunState>& state, SlotId slot,
                         const std::function<void(SourceTask&)>& fn) {
  SourceTask task(state, slot);
  if (!task.cancelled()) {
    try {
      fn(task);
    } catch (const std::exception& e) {
      task.Problem("internal error", Error::Make(ErrorKind::kProtocol, e.what()));
    } catch (...) {
      task.Problem("internal error", Error::Make(ErrorKind::kProtocol, "unknown exception"));
    }
  }
  bool finished = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    Slot& s = state->slot(slot);
    if (--s.pending == 0) {
      s.finished = true;
      s.ms = MsSince(s.start);
      finished = true;
    }
  }
  if (finished) state->cv.notify_all();
}

}  // namespace mailscout
