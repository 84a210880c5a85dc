#include "engine/stack.h"

#include "discover/provider_db.h"
#include "engine/endpoint_prober.h"
#include "net/poco_http_client.h"
#include "verify/tester.h"

namespace mailscout {

void AddProviderWarnings(const ProviderDb& providers, DiscoveryResult* result) {
  for (const auto& w : providers.warnings()) {
    result->warnings.push_back("provider database: " + w);
  }
}

EngineStack::~EngineStack() = default;

Result<EngineStack::TlsFuture> EngineStack::StartTls(const TlsOptions& options, bool needed) {
  if (!options.ca_file.empty()) {
    // A bad --ca-file is a usage error: find out before anything runs.
    auto tls = std::make_shared<const TlsClient>(options);
    if (!tls->ca_error().empty()) return Error::Make(ErrorKind::kUsage, tls->ca_error());
    std::promise<std::shared_ptr<const TlsClient>> ready;
    ready.set_value(tls);
    return ready.get_future().share();
  }
  return std::async(needed ? std::launch::async : std::launch::deferred,
                    [options] {
                      return std::shared_ptr<const TlsClient>(std::make_shared<TlsClient>(options));
                    })
      .share();
}

Result<std::unique_ptr<EngineStack>> EngineStack::Create(const StackConfig& config) {
  std::unique_ptr<EngineStack> stack(new EngineStack());
  Result<std::unique_ptr<CaresResolver>> resolver = CaresResolver::Create(config.resolver);
  if (!resolver.ok()) return Error::Make(ErrorKind::kUsage, resolver.error().message);
  stack->resolver_ = std::move(resolver.value());

  Result<TlsFuture> tls = StartTls(config.tls, config.tls_needed);
  if (!tls.ok()) return tls.error();
  stack->tls_ = tls.value();
  stack->login_tls_ = stack->tls_;
  if (config.insecure_logins) {
    TlsOptions insecure = config.tls;
    insecure.insecure = true;
    Result<TlsFuture> login_tls = StartTls(insecure, config.tls_needed);
    if (!login_tls.ok()) return login_tls.error();
    stack->login_tls_ = login_tls.value();
  }
  TlsFuture login_tls = stack->login_tls_;
  stack->tester_ = std::make_unique<Tester>(
      *stack->resolver_, [login_tls]() -> const TlsClient& { return *login_tls.get(); });
  const Tester* tester = stack->tester_.get();
  stack->memory_ = std::make_unique<EndpointMemory>(
      [tester](const CheckRequest& request) { return tester->Check(request); });
  stack->ledger_ = std::make_unique<LoginLedger>(config.ledger_path);
  stack->policy_ = std::make_unique<LoginPolicy>(config.budget, stack->ledger_.get());
  if (!config.with_discovery && !config.with_http_and_providers) return stack;

  TlsFuture http_tls = stack->tls_;
  stack->http_ = std::make_unique<PocoHttpClient>(
      *stack->resolver_, [http_tls]() -> const TlsClient& { return *http_tls.get(); });
  Result<ProviderDb> providers =
      ProviderDb::Load(config.provider_dirs, /*allow_missing_last=*/true);
  if (!providers.ok()) return Error::Make(ErrorKind::kUsage, providers.error().message);
  stack->providers_ = std::make_unique<ProviderDb>(std::move(providers.value()));
  if (!config.with_discovery) return stack;

  stack->prober_ = std::make_unique<EndpointProber>(*stack->memory_);
  stack->discovery_ = std::make_unique<Discovery>(
      *stack->resolver_, *stack->http_, stack->prober_.get(), *stack->providers_, config.discovery);
  return stack;
}

DiscoverFn EngineStack::DiscoverFunction(ProgressFn progress, std::function<void()> done) {
  return [this, progress = std::move(progress), done = std::move(done)](
             const EmailAddress& address, Deadline deadline, const CandidateSink& sink,
             const StopFlag& stop) {
    DiscoveryResult result = discovery_->Run(address, deadline, progress, sink, stop);
    if (done) done();
    AddProviderWarnings(*providers_, &result);
    return result;
  };
}

CheckFn EngineStack::CheckFunction() {
  return [this](const CheckRequest& request) { return memory_->Check(request); };
}

}  // namespace mailscout
