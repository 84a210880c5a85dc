// Internal to discover/: the shared state of one Discovery::Run() and the
// handle (SourceTask) through which each source's tasks report.
//
// A source is one "slot"; its work is split into tasks that run on the
// TaskPool. A task may Spawn() further tasks of its slot; the slot finishes
// when its last task returns. RunState is shared (shared_ptr) by the tasks
// and Run(), so tasks that outlive Run() write into state nobody reads any
// more; the borrowed objects in DiscoveryEnv outlive them (the Discovery
// destructor joins the pool). All members are guarded by mu.
#ifndef MAILSCOUT_DISCOVER_RUN_STATE_H_
#define MAILSCOUT_DISCOVER_RUN_STATE_H_

#include <array>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/email_address.h"
#include "core/model.h"
#include "discover/discovery.h"
#include "discover/prober.h"

namespace mailscout {

class TaskPool;

struct DiscoveryEnv {
  Resolver& resolver;
  HttpClient& http;
  Prober* prober;
  const ProviderDb& providers;
  const DiscoveryOptions& options;
  TaskPool& pool;
};

// Slots in ranking order: Run() never waits for a slot once every slot
// before it has finished and they answered both incoming and outgoing.
enum class SlotId {
  kProviders,
  kAutoconfig,
  kWellKnown,
  kIspdb,
  kAutodiscover,
  kSrv,
  kMx,
  kAutoconfigHttp,
  kWellKnownHttp,
  kGuess,
};
inline constexpr int kSlotCount = 10;
const char* SlotName(SlotId slot);

struct Slot {
  bool started = false;
  bool finished = false;
  int pending = 0;
  Clock::time_point start{};
  int64_t ms = 0;
  std::string skip_reason;  // set when never started
  bool timed_out = false;
  bool failed = false;
  std::vector<std::string> notes;
  std::vector<ServerCandidate> candidates;
};

struct OfferedProvider {
  ProviderInfo info;
  int rank = 0;  // SourceRank * 1000 + order; lower wins
};

class RunState {
 public:
  RunState(const DiscoveryEnv& env, EmailAddress address, Deadline deadline,
           CandidateSink sink = {}, StopFlag stop = {});

  const DiscoveryEnv& env;
  const EmailAddress address;
  const Deadline deadline;
  const ProbeCancel cancel;  // set when Run() has its answer
  const CandidateSink sink;  // may be empty
  const StopFlag stop;       // may be null: set by Run()'s caller

  std::mutex mu;
  std::condition_variable cv;
  std::array<Slot, kSlotCount> slots;
  std::set<std::pair<Protocol, Security>> not_offered;  // SRV target "."
  std::set<Protocol> answered;                          // protocols with a non-guess candidate
  std::optional<OfferedProvider> provider;
  // The bundled database knows the provider and says it offers no
  // IMAP/POP3/SMTP at all: a complete answer, nothing to guess.
  bool no_mail_access = false;
  bool done = false;  // Run() returned; results are no longer read

  Slot& slot(SlotId id) { return slots[static_cast<size_t>(id)]; }
};

// The handle a source's task works through. Cheap to copy.
class SourceTask {
 public:
  SourceTask(std::shared_ptr<RunState> state, SlotId slot)
      : state_(std::move(state)), slot_(slot) {}

  const EmailAddress& address() const { return state_->address; }
  const DiscoveryEnv& env() const { return state_->env; }
  const DiscoveryOptions& options() const { return state_->env.options; }
  const ProbeCancel& cancel() const { return state_->cancel; }
  SlotId slot() const { return slot_; }

  // True once Run() has its answer (or its deadline passed): stop.
  bool cancelled() const;
  // now + ms, capped by the run's deadline.
  Deadline StepDeadline(int64_t ms) const;
  Deadline HttpDeadline() const { return StepDeadline(options().http_timeout_ms); }
  Deadline DnsDeadline() const { return StepDeadline(options().dns_timeout_ms); }
  Deadline ProbeDeadline() const { return StepDeadline(options().probe_timeout_ms); }

  void Add(std::vector<ServerCandidate> candidates);
  void Note(std::string note);
  // Records a failed step: a timeout marks the slot "timeout"; TLS,
  // certificate and protocol errors, and a DNS server that fails or cannot
  // be reached, mark it "error"; a name that does not exist (NXDOMAIN, no
  // records) and a refused connection are only noted (nothing there is a
  // normal answer).
  void Problem(const std::string& what, const Error& error);
  void MarkNotOffered(Protocol protocol, Security security);
  bool IsNotOffered(Protocol protocol, Security security) const;
  // A non-guess source has a candidate for protocol.
  bool Answered(Protocol protocol) const;
  void OfferProvider(const ProviderInfo& info, int rank);
  void MarkNoMailAccess();

  // Whether Run()'s caller asked it to stop.
  bool stop_requested() const;

  // Waits until slot `other` has finished (or was never started), the run
  // is cancelled, or deadline passes.
  void WaitForSlot(SlotId other, Deadline deadline) const;

  // Runs fn as another task of this slot.
  void Spawn(std::function<void(SourceTask&)> fn) const;

  // Starts slot `slot` with fn as its first task.
  static void Start(const std::shared_ptr<RunState>& state, SlotId slot,
                    std::function<void(SourceTask&)> fn);

 private:
  static void RunTask(const std::shared_ptr<RunState>& state, SlotId slot,
                      const std::function<void(SourceTask&)>& fn);
  std::shared_ptr<RunState> state_;
  SlotId slot_;
};

// Source entry points (one file each).
void RunProvidersSource(SourceTask& task);     // source_config.cc
void RunAutoconfigSource(SourceTask& task);    // https or http by slot
void RunWellKnownSource(SourceTask& task);     // https or http by slot
void RunIspdbSource(SourceTask& task);         // source_config.cc
void RunMxSource(SourceTask& task);            // source_mx.cc
void RunSrvSource(SourceTask& task);           // source_srv.cc
void RunAutodiscoverSource(SourceTask& task);  // source_autodiscover.cc
void RunGuessSource(SourceTask& task);         // source_guess.cc

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_RUN_STATE_H_
