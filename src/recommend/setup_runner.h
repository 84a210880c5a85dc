// SetupRunner: the engine of `mailscout setup`. Discovery, then parallel
// verification of every candidate, then ranking (recommend/ranking.h).
//
// Verification:
//   - Targets: every discovered candidate, plus for each (protocol, host) a
//     source named, the other security types on that host's standard ports
//     (implicit TLS and STARTTLS; plain only with allow_plaintext). A plain
//     candidate a source named is checked too: the tester refuses to send the
//     password (kCleartextRefused), which is a finding worth reporting.
//   - A bounded pool (max_parallel threads) with at most per_host
//     connections to one host at a time; the most promising targets of each
//     side start first.
//   - Username forms: the source's form first; when a login is rejected
//     (kAuth), the full address, then the local part. Each form is tried at
//     most once per server, a form rejected on a host is not tried first on
//     that host's other ports, and a form that worked on a host is used for
//     its other ports. With `username` set only that form is tried.
//   - Without a password every target is checked up to the login.
// Early finish: as soon as no unfinished target of a side could outrank the
// best finished one of that side (CompareStandings with the target's
// OptimisticStanding), that side's remaining checks are cancelled; once both
// sides are settled Run() returns. A tarpit or a dropped SYN therefore delays
// the answer only while it could still win, and never past its own phase
// deadline. Checks still unfinished at return appear in the report as
// ErrorKind::kTimeout with phase "cancelled" ("overall" when the deadline
// ended them); a port not tried because its host had already rejected every
// username form appears as ErrorKind::kAuth with phase "skipped".
//
// Ownership and threads: Run() may be called once per SetupRunner. Worker
// threads may still be finishing cancelled checks when Run() returns; the
// destructor waits for them (each stops within the tester's cancel poll).
// The functions passed in must stay valid until the destructor returns.
// Progress lines are delivered from worker threads, one call at a time.
// The password is held only in memory, copied into CheckRequests, and never
// into the report.
#ifndef MAILSCOUT_RECOMMEND_SETUP_RUNNER_H_
#define MAILSCOUT_RECOMMEND_SETUP_RUNNER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/deadline.h"
#include "core/email_address.h"
#include "core/model.h"
#include "recommend/ranking.h"
#include "verify/tester.h"

namespace mailscout {

// Discovery for an address, finishing by the deadline (Discovery::Run).
using DiscoverFn = std::function<DiscoveryResult(const EmailAddress&, Deadline)>;
// One check (Tester::Check). Must honour request.cancelled and never throw.
using CheckFn = std::function<CheckResult(const CheckRequest&)>;
// One line of progress for a person ("IMAP imap.example.com:993 SSL/TLS: login OK").
using SetupProgressFn = std::function<void(const std::string& line)>;

struct SetupOptions {
  RankOptions rank;
  std::optional<std::string> password;  // none: check up to the login only
  std::optional<std::string> username;  // --user: the only form tried
  PhaseTimeouts timeouts;               // per phase; greeting 5 s by default
  bool transcript = false;              // keep redacted transcripts in checks
  bool check_all = false;               // no early finish: check every target
  size_t max_parallel = 8;
  size_t per_host = 4;
  size_t max_targets = 48;  // bound on servers checked (hostile discovery answers)
  std::string display_name;
  SetupProgressFn progress;  // optional
};

class SetupRunner {
 public:
  SetupRunner(DiscoverFn discover, CheckFn check, SetupOptions options);
  ~SetupRunner();
  SetupRunner(const SetupRunner&) = delete;
  SetupRunner& operator=(const SetupRunner&) = delete;

  // Runs discovery and verification, finishing by `deadline`. Never throws;
  // always returns a report (recommendations empty when nothing works).
  SetupReport Run(const EmailAddress& address, Deadline deadline);

  class State;  // shared with the worker threads (setup_runner.cc)

 private:
  DiscoverFn discover_;
  CheckFn check_;
  SetupOptions options_;
  std::shared_ptr<State> state_;
};

// The username forms to try for a candidate, in order, without repeats:
// the source's form, the full address, the local part.
std::vector<std::string> UsernameForms(const std::string& source_form, const EmailAddress& address);

}  // namespace mailscout

#endif  // MAILSCOUT_RECOMMEND_SETUP_RUNNER_H_
