// EngineStack: the composition root. Builds, in one place and in dependency
// order, every object a command runs on, and hands them out:
//   Resolver (c-ares)  - one for SRV, MX and host addresses
//   TlsClient          - built on another thread while the first DNS
//                        questions are asked (setting up OpenSSL takes ~2 ms);
//                        a second, certificate-tolerant one for logins with
//                        --insecure-tls (discovery's HTTPS always verifies)
//   HttpClient         - discovery's autoconfig and Autodiscover fetches
//   Tester             - one check of one server (verify/)
//   EndpointMemory     - what this run learned per endpoint, shared by
//                        discovery's probes and setup's checks
//   LoginPolicy        - serialized logins, username forms, failure budget,
//                        with the LoginLedger of earlier runs
//   ProviderDb, Discovery (only when the command discovers)
// `discover`, `setup` and `test` all run on it, so they behave the same way.
// Thread-safe accessors; the objects live as long as the stack.
#ifndef MAILSCOUT_ENGINE_STACK_H_
#define MAILSCOUT_ENGINE_STACK_H_

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "discover/discovery.h"
#include "dns/cares_resolver.h"
#include "engine/endpoint_memory.h"
#include "engine/login_policy.h"
#include "engine/setup_engine.h"
#include "net/tls.h"

namespace mailscout {

class HttpClient;
class Prober;
class ProviderDb;

struct StackConfig {
  ResolverOptions resolver;
  TlsOptions tls;                // discovery's HTTPS (never insecure)
  bool insecure_logins = false;  // --insecure-tls: checks go on despite certificate errors
  bool with_discovery = true;    // false: no provider database, no Discovery (test)
  // Without discovery: still the HTTPS client and the provider database
  // (test --oauth, which signs in at the provider's authorization server).
  bool with_http_and_providers = false;
  bool tls_needed = true;  // false: build TLS only if a handshake asks for it
  DiscoveryOptions discovery;
  // --providers directories first, then the bundled one.
  std::vector<std::string> provider_dirs;
  LoginBudget budget;
  std::string ledger_path;  // LoginLedger file; empty: in memory only
};

class EngineStack {
 public:
  // Errors (usage errors, exit status 2): a --dns-server that is not an
  // address, an unreadable --ca-file, a --providers directory that does not
  // exist.
  static Result<std::unique_ptr<EngineStack>> Create(const StackConfig& config);
  ~EngineStack();
  EngineStack(const EngineStack&) = delete;
  EngineStack& operator=(const EngineStack&) = delete;

  Resolver& resolver() { return *resolver_; }
  const TlsClient& tls() const { return *tls_.get(); }
  HttpClient& http() { return *http_; }
  const Tester& tester() const { return *tester_; }
  EndpointMemory& memory() { return *memory_; }
  LoginPolicy& policy() { return *policy_; }
  const LoginLedger& ledger() const { return *ledger_; }
  // Only with with_discovery or with_http_and_providers (http too).
  const ProviderDb& providers() const { return *providers_; }
  Discovery& discovery() { return *discovery_; }

  // Setup's two functions, wired to these objects: discovery (with its
  // progress and the provider database's warnings) and checks through the
  // endpoint memory.
  DiscoverFn DiscoverFunction(ProgressFn progress, std::function<void()> done);
  CheckFn CheckFunction();

 private:
  EngineStack() = default;
  using TlsFuture = std::shared_future<std::shared_ptr<const TlsClient>>;
  static Result<TlsFuture> StartTls(const TlsOptions& options, bool needed);

  std::unique_ptr<CaresResolver> resolver_;
  TlsFuture tls_;
  TlsFuture login_tls_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<Tester> tester_;
  std::unique_ptr<EndpointMemory> memory_;
  std::unique_ptr<LoginLedger> ledger_;
  std::unique_ptr<LoginPolicy> policy_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<ProviderDb> providers_;
  std::unique_ptr<Discovery> discovery_;  // last: destroyed first (joins its workers)
};

// Appends the provider database's load warnings to result->warnings, each
// as "provider database: <warning>".
void AddProviderWarnings(const ProviderDb& providers, DiscoveryResult* result);

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_STACK_H_
