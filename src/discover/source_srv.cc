// The DNS SRV source (RFC 6186, RFC 8314): six lookups at once. A target of
// "." means the service is not offered, which also stops guessing for it.
// Plain DNS, so Trust::kUnauthenticated.
#include <string>
#include <vector>

#include "core/email_address.h"
#include "discover/run_state.h"
#include "discover/srv.h"
#include "dns/resolver.h"

namespace mailscout {
namespace {

void LookupService(SourceTask& task, size_t index) {
  const SrvService& service = kSrvServices[index];
  const std::string name = std::string(service.label) + "." + task.address().ascii_domain();
  Result<std::vector<SrvRecord>> records = task.env().resolver.LookupSrv(name, task.DnsDeadline());
  if (!records.ok()) {
    task.Problem("SRV " + name, records.error());
    return;
  }
  if (records->empty()) {
    task.Note("SRV " + name + ": no record");
    return;
  }
  if (IsNotOffered(records.value())) {
    task.MarkNotOffered(service.protocol, service.security);
    task.Note("SRV " + name + ": \".\" (not offered)");
    return;
  }
  std::vector<ServerCandidate> candidates;
  int order = 0;
  for (const SrvRecord& r : OrderSrv(records.value())) {
    Result<std::string> host = ToAsciiDomain(r.target);
    if (!host.ok() || r.port == 0) {
      task.Note("SRV " + name + ": target '" + r.target + ":" + std::to_string(r.port) +
                "' ignored");
      continue;
    }
    ServerCandidate c;
    c.protocol = service.protocol;
    c.host = host.value();
    c.port = r.port;
    c.security = service.security;
    c.source = Source::kSrv;
    c.trust = Trust::kUnauthenticated;
    c.detail = "SRV " + name;
    c.rank = static_cast<int>(index) * 100 + order++;
    candidates.push_back(std::move(c));
  }
  task.Note("SRV " + name + ": " + std::to_string(candidates.size()) + " target" +
            (candidates.size() == 1 ? "" : "s"));
  task.Add(std::move(candidates));
}

}  // namespace

void RunSrvSource(SourceTask& task) {
  for (size_t i = 1; i < kSrvServices.size(); ++i) {
    task.Spawn([i](SourceTask& t) { LookupService(t, i); });
  }
  LookupService(task, 0);
}

}  // namespace mailscout
