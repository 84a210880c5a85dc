// The command-line options of discovery, shared by `discover` and `setup`,
// and the objects that run it (DiscoveryStack), so both commands behave the
// same way for --offline, --providers, --no-guess, --dns-server, --ca-file,
// --timeout, --ispdb-url and the per-source deadlines.
//
// DiscoveryOptionSpecs() goes into a Command's option table;
// DiscoveryConfigFromArgs() validates the parsed values (errors are usage
// errors: exit status 2); DiscoveryStack::Create() builds the resolver, TLS,
// HTTP client, tester-backed prober, provider database and Discovery.
#ifndef MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_
#define MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_

#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/result.h"
#include "discover/discovery.h"
#include "dns/cares_resolver.h"
#include "net/tls.h"

namespace mailscout {

class Discovery;
class HttpClient;
class Prober;
class ProviderDb;
class Tester;

inline constexpr int64_t kDefaultDiscoveryTimeoutMs = 20000;

// --offline, --providers DIR..., --no-guess, --guess-always, --all-sources,
// --skip SOURCE..., --no-http, --dns-server HOST[:PORT]..., --ca-file PEM,
// --timeout SECONDS, --ispdb-url URL, --http-timeout, --dns-timeout,
// --probe-timeout. (A command that has its own --timeout or --ca-file can
// drop ours from the list; DiscoveryConfigFromArgs reads them by name.)
std::vector<OptionSpec> DiscoveryOptionSpecs();

struct DiscoveryCliConfig {
  DiscoveryOptions discovery;
  ResolverOptions resolver;
  TlsOptions tls;
  // --providers directories first, then the bundled one.
  std::vector<std::string> provider_dirs;
  int64_t timeout_ms = kDefaultDiscoveryTimeoutMs;  // --timeout: the whole run
};

// Errors (kProtocol, a one-line usage message): a bad number, an unknown
// --skip name, an --ispdb-url that is not http(s).
Result<DiscoveryCliConfig> DiscoveryConfigFromArgs(const ParsedArgs& args);

// Owns everything discovery needs, in construction order; Discovery is
// destroyed first (it joins its worker threads, which use the rest).
// The TlsClient (setting up OpenSSL takes ~2 ms) is built on another
// thread while discovery starts its DNS lookups, and the Tester on first
// use; tls() and tester() wait for them. Thread-safe.
class DiscoveryStack {
 public:
  // Errors: a --dns-server that is not an address, an unreadable
  // --ca-file, a --providers directory that does not exist.
  static Result<std::unique_ptr<DiscoveryStack>> Create(const DiscoveryCliConfig& config);
  ~DiscoveryStack();

  Resolver& resolver() { return *resolver_; }
  const TlsClient& tls() const { return *tls_.get(); }
  HttpClient& http() { return *http_; }
  const Tester& tester() const;
  const ProviderDb& providers() const { return *providers_; }
  Discovery& discovery() { return *discovery_; }

 private:
  DiscoveryStack() = default;
  std::unique_ptr<CaresResolver> resolver_;
  std::shared_future<std::shared_ptr<const TlsClient>> tls_;
  std::unique_ptr<HttpClient> http_;
  mutable std::once_flag tester_once_;
  mutable std::unique_ptr<Tester> tester_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<ProviderDb> providers_;
  std::unique_ptr<Discovery> discovery_;
};

// Progress on a terminal, for `discover` and `setup`: ShowDiscoveryProgress
// writes the one-line summary of `sources` (ProgressLine,
// report/discovery_text.h; cut to 150 characters) over the current line of
// standard error; ClearDiscoveryProgress blanks that line. Not
// synchronised: a caller that prints from several threads holds its own
// lock.
void ShowDiscoveryProgress(const std::vector<SourceStatus>& sources);
void ClearDiscoveryProgress();

// Appends the provider database's load warnings to result->warnings, each
// as "provider database: <warning>".
void AddProviderWarnings(const ProviderDb& providers, DiscoveryResult* result);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_
