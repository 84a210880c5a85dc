// Discovery: every candidate IMAP, POP3 and SMTP server for an address, from
// all sources at once.
//
// Sources, in the order their answers are trusted and ranked:
//   providers        bundled database + --providers directories (no network)
//   autoconfig       https://autoconfig.<domain>/mail/config-v1.1.xml
//   well-known       https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
//   ispdb            <ispdb_url><domain> (Thunderbird ISPDB)
//   autodiscover     Outlook Autodiscover (POX) over https, _autodiscover SRV,
//                    http redirect method
//   srv              DNS SRV, RFC 6186 / RFC 8314
//   mx               bundled DB / autoconfig / ISPDB of the preferred MX host's
//                    parent and registrable domains
//   autoconfig-http  the two autoconfig URLs over plain http (lower trust)
//   guess            imap./mail./pop3./pop./smtp./bare domain, confirmed by a
//                    Prober (connect + TLS/STARTTLS capability, no login)
//
// How Run() works: every source is started at once on a bounded thread pool
// owned by the Discovery object; each network step has its own deadline
// (DiscoveryOptions) and the whole run is bounded by Run()'s deadline. Run()
// returns as soon as the answer is settled: every source ranked above the
// best answering one has finished and the finished sources together name an
// incoming (IMAP or POP3) and an outgoing (SMTP) server. It never waits for
// lower-ranked sources then (unless wait_for_all); their status is
// "skipped"/"timeout" in the result.
//
// Ownership and threads: the Resolver, HttpClient, Prober and ProviderDb are
// borrowed and must outlive the Discovery object. Sources still running when
// Run() returns stop at their next step and finish in the background; the
// destructor waits for them (each at most one step's deadline). A command
// that only prints may end the process right after printing instead.
// Run() may be called from several threads at once; the ProgressFn is called
// only on the thread that called Run().
//
// Failures are findings, never exceptions: a source that fails records
// "error"/"timeout" with a detail in DiscoveryResult::sources.
#ifndef MAILSCOUT_DISCOVER_DISCOVERY_H_
#define MAILSCOUT_DISCOVER_DISCOVERY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/email_address.h"
#include "core/model.h"
#include "core/types.h"

namespace mailscout {

class HttpClient;
class Prober;
class ProviderDb;
class Resolver;

inline constexpr const char* kDefaultIspdbUrl = "https://autoconfig.thunderbird.net/v1.1/";

struct DiscoveryOptions {
  // Only the bundled database and --providers: no DNS, no HTTP, no probes.
  bool offline = false;
  // Guess host names and confirm them with the Prober (--no-guess clears it).
  bool guess = true;
  // Guess even for protocols a non-guess source already answered.
  bool guess_always = false;
  // Wait for every source instead of returning once the answer is settled.
  bool wait_for_all = false;
  // Sources not to run at all (--skip).
  std::set<Source> skip;
  // Also try the autoconfig URLs over plain http (lower trust).
  bool http_fallback = true;
  // Prefix of the ISPDB; the ASCII domain is appended.
  std::string ispdb_url = kDefaultIspdbUrl;
  // Per-step deadlines.
  int64_t http_timeout_ms = 5000;   // one HTTP request, connect to last byte
  int64_t dns_timeout_ms = 3000;    // one DNS question
  int64_t probe_timeout_ms = 5000;  // one guess probe
  // Limits on what servers may send.
  size_t max_body_bytes = 256 * 1024;
  int max_redirects = 10;  // Autodiscover redirectAddr/redirectUrl/http hops
  // Worker threads for all sources of all runs of this object.
  int max_threads = 32;
};

// Called with a snapshot of every source ("running" while in flight).
using ProgressFn = std::function<void(const std::vector<SourceStatus>& sources)>;
// Called with the candidates of a source as soon as it has them (before
// merging), from the source's worker thread. Setup starts verifying them
// while slower sources are still asked. A call may come just as Run()
// returns: a sink must tolerate a late call.
using CandidateSink = std::function<void(const std::vector<ServerCandidate>& found)>;
// Set by the caller when it needs no more answers: Run() returns soon after
// (within ~50 ms), as if every source not yet finished were not waited for.
using StopFlag = std::shared_ptr<std::atomic<bool>>;

class Discovery {
 public:
  // prober may be null: guessing is then reported as "skipped".
  Discovery(Resolver& resolver, HttpClient& http, Prober* prober, const ProviderDb& providers,
            DiscoveryOptions options);
  ~Discovery();
  Discovery(const Discovery&) = delete;
  Discovery& operator=(const Discovery&) = delete;

  // Finds candidates for address, finishing by deadline (the --timeout).
  // Always returns a result; candidates is empty when nothing was found.
  // Candidates are merged (same protocol/host/port/security from several
  // sources -> one, best source kept, the others in also_from) and ordered
  // IMAP, POP3, SMTP, best first within each (trust, source rank, order
  // inside the source). warnings name hosts outside the address's
  // registrable domain reached over unauthenticated hops, and providers that
  // need an app password or OAuth2.
  // `sink` and `stop` are optional (see CandidateSink, StopFlag).
  DiscoveryResult Run(const EmailAddress& address, Deadline deadline,
                      const ProgressFn& progress = {}, const CandidateSink& sink = {},
                      const StopFlag& stop = {}) const;

  const DiscoveryOptions& options() const { return options_; }

  class Impl;

 private:
  DiscoveryOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_DISCOVERY_H_
