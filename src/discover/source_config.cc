// The sources that read clientConfig documents: the bundled database,
// provider autoconfig (https and http), .well-known (https and http), and
// the online ISPDB.
#include <algorithm>

#include "discover/client_config.h"
#include "discover/config_fetch.h"
#include "discover/http_fetch.h"
#include "discover/merge.h"
#include "net/http_client.h"

namespace mailscout {
namespace {

// The provider of a document that names the domain, else the first one.
const ProviderConfig& PickProvider(const std::vector<ProviderConfig>& configs,
                                   const std::string& domain) {
  for (const auto& c : configs) {
    if (std::find(c.domains.begin(), c.domains.end(), domain) != c.domains.end()) return c;
  }
  return configs.front();
}

bool AddConfig(SourceTask& task, const ProviderConfig& config, Source source, Trust trust,
               const std::string& detail, int rank_base, int provider_rank) {
  std::vector<std::string> problems;
  std::vector<ServerCandidate> candidates =
      ExpandServers(config, task.address(), source, trust, detail, &problems);
  for (auto& p : problems) task.Note(detail + ": " + p);
  for (auto& c : candidates) c.rank += rank_base;
  const size_t count = candidates.size();
  if (count > 0 || !config.login_policy.empty()) {
    task.OfferProvider(ToProviderInfo(config, task.address()), provider_rank);
  }
  task.Add(std::move(candidates));
  return count > 0;
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

bool AddProviderEntry(SourceTask& task, const ProviderEntry& entry, Source source, Trust trust,
                      const std::string& label, int rank_base, int provider_rank) {
  const std::string detail = label + entry.origin;
  bool found = AddConfig(task, entry.config, source, trust, detail, rank_base, provider_rank);
  task.Note(detail + ": " + Plural(entry.config.servers.size(), "server") +
            (entry.config.id.empty() ? "" : " (" + entry.config.id + ")"));
  return found;
}

bool FetchClientConfig(SourceTask& task, const ConfigRequest& request) {
  if (task.cancelled()) return false;
  const DiscoveryOptions& options = task.options();
  HttpRequest http;
  http.url = request.url;
  http.max_body_bytes = options.max_body_bytes;
  Result<FetchOutcome> fetched =
      FetchFollowing(task.env().http, http, task.HttpDeadline(), options.http_timeout_ms,
                     /*max_redirects=*/5, /*https_only=*/false);
  const std::string what = request.label + "GET " + request.url;
  if (!fetched.ok()) {
    task.Problem(what, fetched.error());
    return false;
  }
  const HttpResponse& response = fetched->response;
  if (response.status != 200) {
    task.Note(what + ": HTTP " + std::to_string(response.status));
    return false;
  }
  if (response.body.find("clientConfig") == std::string::npos) {
    // Many web servers answer every path with a page of their own: that is
    // "nothing here", not a broken configuration.
    task.Note(what + ": HTTP 200, but not a clientConfig document");
    return false;
  }
  Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(response.body);
  if (!parsed.ok()) {
    task.Problem(what, parsed.error());
    return false;
  }
  const Trust trust = (fetched->all_https && !request.unauthenticated) ? Trust::kAuthenticated
                                                                       : Trust::kUnauthenticated;
  const std::string detail = request.label + fetched->final_url;
  const ProviderConfig& config = PickProvider(parsed.value(), task.address().ascii_domain());
  bool found = AddConfig(task, config, request.source, trust, detail, request.rank_base,
                         request.provider_rank);
  task.Note(what + ": HTTP 200, " + Plural(config.servers.size(), "server") +
            (fetched->hops.size() > 1
                 ? " (after " + Plural(fetched->hops.size() - 1, "redirect") + ")"
                 : ""));
  return found;
}

void RunProvidersSource(SourceTask& task) {
  const ProviderEntry* entry = task.env().providers.Find(task.address().ascii_domain());
  if (entry == nullptr) {
    task.Note("no entry for " + task.address().ascii_domain());
    return;
  }
  AddProviderEntry(task, *entry, Source::kProviders, Trust::kAuthenticated, "", 0,
                   SourceRank(Source::kProviders) * 1000);
  if (entry->config.servers.empty()) {
    task.OfferProvider(ToProviderInfo(entry->config, task.address()),
                       SourceRank(Source::kProviders) * 1000);
    task.MarkNoMailAccess();
  }
}

void RunAutoconfigSource(SourceTask& task) {
  const bool https = task.slot() == SlotId::kAutoconfig;
  ConfigRequest request;
  request.url = std::string(https ? "https" : "http") + "://autoconfig." +
                task.address().ascii_domain() +
                "/mail/config-v1.1.xml?emailaddress=" + UrlEncode(task.address().ascii());
  request.source = Source::kAutoconfig;
  request.unauthenticated = !https;
  request.provider_rank = SourceRank(Source::kAutoconfig) * 1000 + (https ? 0 : 500);
  FetchClientConfig(task, request);
}

void RunWellKnownSource(SourceTask& task) {
  const bool https = task.slot() == SlotId::kWellKnown;
  ConfigRequest request;
  request.url = std::string(https ? "https" : "http") + "://" + task.address().ascii_domain() +
                "/.well-known/autoconfig/mail/config-v1.1.xml";
  request.source = Source::kWellKnown;
  request.unauthenticated = !https;
  request.provider_rank = SourceRank(Source::kWellKnown) * 1000 + (https ? 0 : 500);
  FetchClientConfig(task, request);
}

void RunIspdbSource(SourceTask& task) {
  ConfigRequest request;
  request.url = task.options().ispdb_url + task.address().ascii_domain();
  request.source = Source::kIspdb;
  request.provider_rank = SourceRank(Source::kIspdb) * 1000;
  FetchClientConfig(task, request);
}

}  // namespace mailscout
