// SetupEngine: the engine of `mailscout setup`, from discovery to verdict.
//
// Flow:
//   - Discovery runs on the calling thread; every candidate a source finds
//     is handed to the engine at once (CandidateSink) and becomes targets
//     for the verification workers, so checks start while slower sources
//     are still being asked. When discovery returns, its final, merged list
//     decides trust and order; targets of hosts it no longer names are
//     dropped if they had not started.
//   - Targets: every candidate, plus for each (protocol, host) the other
//     security types on that host's standard ports (implicit TLS and
//     STARTTLS; plain only with allow_plaintext). A plain candidate a source
//     named is checked too: the tester refuses to send the password
//     (kCleartextRefused), a finding worth reporting.
//   - Workers (max_parallel threads, at most per_host connections to one
//     host) always start the most promising runnable target, the two sides
//     (incoming, outgoing) taking turns.
//   - Logins go through the LoginPolicy (engine/login_policy.h): one at a
//     time per server, the username form that worked reused, a rejected form
//     never tried again there, a budget of failed logins. A target whose
//     login was rejected is tried again at once, on a new connection, with
//     its next username form while the policy allows one. When the server of
//     the best target has rejected every username form, the password is
//     wrong: no other login is tried, and each side ends as soon as its best
//     server has answered up to the login (ranked "held back", below
//     "rejected").
//   - Every check goes through the CheckFn, which the composition root
//     points at the EndpointMemory that discovery's probes share, so an
//     endpoint that failed a probe is not dialled again.
// Early finish: a side is settled when discovery has returned and no
// unfinished target of that side could outrank its best finished result
// (CompareStandings with the target's optimistic standing). Once both sides
// are settled, or the deadline passes, Run() returns; discovery still
// running is told to stop. A login waiting for its answer (servers delay
// failures on purpose) keeps its side open: it could still win.
// Unfinished targets appear in the report as ErrorKind::kNotTried with
// phase "cancelled" (not needed) or "skipped" (the login policy), or as
// kTimeout with phase "overall" when the deadline ended them.
//
// Ownership and threads: Run() may be called once. Worker threads may still
// be finishing cancelled checks when Run() returns; the destructor waits for
// them (each stops within the tester's cancel poll). The functions and the
// policy passed in must outlive the engine. Progress lines come from worker
// threads, one call at a time. The password is held only in memory, copied
// into CheckRequests, and never into the report.
#ifndef MAILSCOUT_ENGINE_SETUP_ENGINE_H_
#define MAILSCOUT_ENGINE_SETUP_ENGINE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/email_address.h"
#include "core/model.h"
#include "discover/discovery.h"
#include "engine/login_policy.h"
#include "recommend/ranking.h"
#include "verify/tester.h"

namespace mailscout {

// Discovery for an address, finishing by the deadline or soon after `stop`
// is set, handing candidates to `sink` as sources find them
// (Discovery::Run).
using DiscoverFn = std::function<DiscoveryResult(const EmailAddress&, Deadline,
                                                 const CandidateSink& sink, const StopFlag& stop)>;
// One check (EndpointMemory::Check / Tester::Check). Must honour
// request.cancelled and request.login_gate, and never throw.
using CheckFn = std::function<CheckResult(const CheckRequest&)>;
// One line of progress for a person ("IMAP imap.example.com:993 SSL/TLS: login OK").
using SetupProgressFn = std::function<void(const std::string& line)>;

struct SetupOptions {
  RankOptions rank;
  std::optional<std::string> password;  // none: check up to the login only
  // An OAuth2 access token (XOAUTH2 / OAUTHBEARER) instead of, or besides,
  // the password, and when it expires (Unix seconds) if known.
  std::optional<std::string> oauth_token;
  std::optional<int64_t> oauth_token_expiry;
  std::optional<std::string> username;  // --user: the only form tried
  PhaseTimeouts timeouts;               // per phase; auth 20 s by default
  bool transcript = false;              // keep redacted transcripts in checks
  bool check_all = false;               // no early finish: check every target
  size_t max_parallel = 12;
  // Enough for every port of one host (IMAP, POP3 and SMTP, each with TLS,
  // STARTTLS and plain): all of them connect at once and wait at the login
  // policy's gate, which lets the best of them log in first. A host whose
  // best port could not even connect would lose that order.
  size_t per_host = 9;
  size_t max_targets = 48;  // bound on servers checked (hostile discovery answers)
  std::string display_name;
  SetupProgressFn progress;  // optional
};

class SetupEngine {
 public:
  SetupEngine(DiscoverFn discover, CheckFn check, LoginPolicy& policy, SetupOptions options);
  ~SetupEngine();
  SetupEngine(const SetupEngine&) = delete;
  SetupEngine& operator=(const SetupEngine&) = delete;

  // Runs discovery and verification, finishing by `deadline`. Never throws;
  // always returns a report (recommendations empty when nothing works).
  SetupReport Run(const EmailAddress& address, Deadline deadline);

  class State;  // shared with the worker threads (setup_engine.cc)

 private:
  DiscoverFn discover_;
  CheckFn check_;
  LoginPolicy& policy_;
  SetupOptions options_;
  std::shared_ptr<State> state_;
};

// The username forms to try for a candidate, in order, without repeats:
// the source's form, the full address, the local part.
std::vector<std::string> UsernameForms(const std::string& source_form, const EmailAddress& address);

// The login policy's report in the form SetupReport and the JSON keep.
LoginPolicyReport PolicyReport(const LoginPolicy& policy);

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_SETUP_ENGINE_H_
