// `mailscout audit`: is a domain's published mail configuration right?
//
// The audit asks every discovery source to the end (no early finish), checks
// every endpoint any source names (connect, TLS or STARTTLS, certificate,
// capabilities; a login only with a password, under setup's login policy),
// probes the TLS versions each accepts, and gathers a few facts discovery
// does not keep (SRV records that say "no service", MX hosts, whether
// Autodiscover demands authentication). Findings() then turns those facts
// into a fixed catalogue of findings (docs/audit.md), each with a stable
// code, a severity, the sources and endpoints involved and a fix.
//
// Findings() is a pure function of AuditReport's facts, unit-tested without
// a network; RunAudit() collects the facts.
#ifndef MAILSCOUT_AUDIT_AUDIT_H_
#define MAILSCOUT_AUDIT_AUDIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/email_address.h"
#include "core/model.h"
#include "dns/resolver.h"
#include "engine/stack.h"

namespace mailscout {

struct AuditSource {
  std::string name;  // "autoconfig", "well-known", "ispdb", "srv", "mx", "autodiscover", ...
  std::string url_or_record;  // what was asked, as discovery reported it
  std::string status;         // "found", "none", "error", "timeout", "skipped"
  std::string detail;
  std::vector<ServerCandidate> servers;  // what it named, in its order
};

struct AuditEndpoint {
  Protocol protocol = Protocol::kImap;
  std::string host;
  uint16_t port = 0;
  Security security = Security::kTls;
  std::vector<std::string> sources;  // names of the sources that name it; empty: only checked
  bool reachable = false;            // TCP connected and the greeting came
  std::vector<std::string> tls_versions;
  std::optional<TlsInfo> tls;
  std::optional<int> days_left;  // before the certificate expires (negative: expired)
  bool starttls = false;         // STARTTLS offered (for STARTTLS endpoints)
  std::vector<std::string> mechanisms_before_tls;
  std::string login;  // "ok", "failed", "not-tried"
  CheckResult check;
};

struct AuditSrv {
  std::string name;  // "_imaps._tcp.example.com"
  Protocol protocol = Protocol::kImap;
  Security security = Security::kTls;
  bool no_service = false;  // the single record's target is "."
  std::vector<SrvRecord> records;
};

struct AuditFinding {
  std::string code;      // stable: "advertised-endpoint-closed", ...
  std::string severity;  // "error", "warning", "info"
  std::string message;
  std::string fix;
  std::vector<std::string> sources;
  std::vector<std::string> endpoints;  // "imap imap.example.com:993 tls"
};

struct AuditClient {
  std::string client;   // "Thunderbird", "Outlook", ...
  std::string version;  // the version whose behaviour is simulated
  std::optional<Setting> incoming;
  std::optional<Setting> outgoing;
  bool works = false;
  std::string reason;
};

struct AuditReport {
  std::string domain;
  std::string email;  // the address audited (user@domain when a domain was given)
  bool password_given = false;
  std::vector<AuditSource> sources;
  std::vector<AuditEndpoint> endpoints;
  std::vector<AuditSrv> srv;
  std::vector<std::string> mx;  // MX hosts, best first
  // Unauthenticated Autodiscover requests: URL and HTTP status (0: no answer).
  std::vector<std::pair<std::string, int>> autodiscover_status;
  std::vector<AuditFinding> findings;
  std::vector<AuditClient> clients;
  int64_t ms = 0;
};

// "imap imap.example.com:993 tls"
std::string EndpointName(Protocol protocol, const std::string& host, uint16_t port,
                         Security security);

// The catalogue applied to the facts of `report` (its findings are ignored).
// Sorted: errors first, then warnings, then info; within one, by code.
std::vector<AuditFinding> Findings(const AuditReport& report);

// What each client would configure for the address and whether it would
// work (clients.cc; orders and sources in docs/audit-clients.md).
std::vector<AuditClient> SimulateClients(const AuditReport& report);

// Every finding code with its severity, in catalogue order (docs/audit.md).
const std::vector<std::pair<std::string, std::string>>& FindingCatalogue();

struct AuditOptions {
  std::optional<std::string> password;
  std::optional<std::string> oauth_token;  // XOAUTH2 / OAUTHBEARER instead of a password
  std::optional<int64_t> oauth_token_expiry;
  int64_t timeout_ms = 60000;
  int64_t phase_ms = 5000;
  bool allow_plaintext = false;
};

// Runs the audit on `stack` (whose discovery must wait for every source).
AuditReport RunAudit(EngineStack& stack, const EmailAddress& address, AuditOptions options);

}  // namespace mailscout

#endif  // MAILSCOUT_AUDIT_AUDIT_H_
