// The MX source: a custom domain hosted by a big provider is recognised by
// its MX host. For the preferred MX host's parent domain (first label
// removed) and its registrable domain, look up the bundled database,
// autoconfig over https and the ISPDB. Everything found this way rests on a
// plain DNS answer, so it is Trust::kUnauthenticated.
#include <algorithm>
#include <string>
#include <vector>

#include "discover/config_fetch.h"
#include "discover/http_fetch.h"
#include "discover/merge.h"
#include "discover/psl.h"
#include "dns/resolver.h"

namespace mailscout {

void RunMxSource(SourceTask& task) {
  const std::string& domain = task.address().ascii_domain();
  Result<std::vector<MxRecord>> mx = task.env().resolver.LookupMx(domain, task.DnsDeadline());
  if (!mx.ok()) {
    task.Problem("MX " + domain, mx.error());
    return;
  }
  const MxRecord* best = nullptr;
  for (const auto& r : mx.value()) {
    if (r.host.empty() || r.host == ".") continue;  // RFC 7505 null MX
    if (best == nullptr || r.preference < best->preference) best = &r;
  }
  if (best == nullptr) {
    task.Note("MX " + domain + ": no mail host");
    return;
  }
  const std::string mx_host = best->host;
  std::vector<std::string> domains;
  for (const std::string& d : {ParentDomain(mx_host), RegistrableDomain(mx_host)}) {
    if (d.empty() || d == domain || d.find('.') == std::string::npos) continue;
    if (std::find(domains.begin(), domains.end(), d) == domains.end()) domains.push_back(d);
  }
  task.Note("MX " + domain + " -> " + mx_host + " (preference " + std::to_string(best->preference) +
            ")");
  if (domains.empty()) {
    task.Note(mx_host + " is inside " + domain + ": nothing more to look up");
    return;
  }
  const int base_rank = SourceRank(Source::kMx) * 1000;
  for (size_t i = 0; i < domains.size(); ++i) {
    const std::string d = domains[i];
    const int rank = static_cast<int>(i) * 300;
    const std::string label = "MX " + mx_host + " -> ";
    if (const ProviderEntry* entry = task.env().providers.Find(d)) {
      AddProviderEntry(task, *entry, Source::kMx, Trust::kUnauthenticated,
                       label + "providers " + d + " ", rank, base_rank + rank);
      continue;  // the bundled answer is the best one for this domain
    }
    ConfigRequest autoconfig;
    autoconfig.url = "https://autoconfig." + d +
                     "/mail/config-v1.1.xml?emailaddress=" + UrlEncode(task.address().ascii());
    autoconfig.source = Source::kMx;
    autoconfig.unauthenticated = true;
    autoconfig.label = label;
    autoconfig.rank_base = rank + 100;
    autoconfig.provider_rank = base_rank + rank + 100;
    task.Spawn([autoconfig](SourceTask& t) { FetchClientConfig(t, autoconfig); });

    ConfigRequest ispdb;
    ispdb.url = task.options().ispdb_url + d;
    ispdb.source = Source::kMx;
    ispdb.unauthenticated = true;
    ispdb.label = label;
    ispdb.rank_base = rank + 200;
    ispdb.provider_rank = base_rank + rank + 200;
    task.Spawn([ispdb](SourceTask& t) { FetchClientConfig(t, ispdb); });
  }
}

}  // namespace mailscout
