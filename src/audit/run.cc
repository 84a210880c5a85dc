// RunAudit: collects the facts (discovery to the end, a check of every
// endpoint, TLS versions, SRV, MX and Autodiscover facts), then applies the
// catalogue (findings.cc).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "audit/audit.h"
#include "audit/tls_versions.h"
#include "engine/setup_engine.h"
#include "net/http_client.h"

namespace mailscout {
namespace {

struct ExtraFacts {
  std::vector<AuditSrv> srv;
  std::vector<std::string> mx;
  std::vector<std::pair<std::string, int>> autodiscover_status;
};

ExtraFacts AskExtra(EngineStack& stack, const std::string& domain, int64_t phase_ms) {
  ExtraFacts facts;
  struct Label {
    const char* prefix;
    Protocol protocol;
    Security security;
  };
  const Label labels[] = {{"_imaps._tcp.", Protocol::kImap, Security::kTls},
                          {"_imap._tcp.", Protocol::kImap, Security::kStartTls},
                          {"_pop3s._tcp.", Protocol::kPop3, Security::kTls},
                          {"_pop3._tcp.", Protocol::kPop3, Security::kStartTls},
                          {"_submissions._tcp.", Protocol::kSmtp, Security::kTls},
                          {"_submission._tcp.", Protocol::kSmtp, Security::kStartTls}};
  for (const Label& l : labels) {
    AuditSrv srv;
    srv.name = l.prefix + domain;
    srv.protocol = l.protocol;
    srv.security = l.security;
    Result<std::vector<SrvRecord>> records =
        stack.resolver().LookupSrv(srv.name, Deadline::AfterMs(phase_ms));
    if (!records.ok() || records->empty()) continue;
    srv.records = records.value();
    srv.no_service =
        srv.records.size() == 1 && (srv.records[0].target.empty() || srv.records[0].target == ".");
    facts.srv.push_back(std::move(srv));
  }
  Result<std::vector<MxRecord>> mx = stack.resolver().LookupMx(domain, Deadline::AfterMs(phase_ms));
  if (mx.ok()) {
    for (const auto& r : mx.value()) facts.mx.push_back(r.host);
  }
  const std::string body =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover "
      "xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/"
      "2006\"><Request>"
      "<EMailAddress>postmaster@" +
      domain +
      "</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/"
      "outlook/"
      "responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>";
  for (const std::string& url :
       {"https://" + domain + "/autodiscover/autodiscover.xml",
        "https://autodiscover." + domain + "/autodiscover/autodiscover.xml"}) {
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.body = body;
    request.content_type = "text/xml; charset=utf-8";
    request.max_body_bytes = 256 * 1024;
    Result<HttpResponse> response = stack.http().Fetch(request, Deadline::AfterMs(phase_ms));
    if (response.ok()) facts.autodiscover_status.emplace_back(url, response->status);
  }
  return facts;
}

// Days from now until an ISO 8601 UTC time ("2027-01-31T12:00:00Z").
std::optional<int> DaysLeft(const std::string& when) {
  std::tm tm{};
  if (when.size() < 19 ||
      strptime(when.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    return std::nullopt;
  }
  time_t then = timegm(&tm);
  double days = std::difftime(then, std::time(nullptr)) / 86400.0;
  return static_cast<int>(days < 0 ? days - 1 : days);
}

// An endpoint answered when its greeting came (or its TLS handshake did,
// or the check passed). A port that accepts and then stays silent (a
// tarpit) did not.
bool Reached(const CheckResult& c) { return !c.greeting.empty() || c.tls.has_value() || !c.error; }

}  // namespace

AuditReport RunAudit(EngineStack& stack, const EmailAddress& address, AuditOptions options) {
  const auto start = std::chrono::steady_clock::now();
  AuditReport report;
  report.domain = address.ascii_domain();
  report.email = address.display();
  report.password_given = options.password || options.oauth_token;

  std::future<ExtraFacts> extra = std::async(std::launch::async, [&stack, &report, &options] {
    return AskExtra(stack, report.domain, options.phase_ms);
  });

  SetupOptions setup;
  setup.password = options.password;
  setup.oauth_token = options.oauth_token;
  setup.oauth_token_expiry = options.oauth_token_expiry;
  setup.check_all = true;
  setup.rank.allow_plaintext = options.allow_plaintext;
  setup.timeouts = PhaseTimeouts::All(Millis(options.phase_ms));
  setup.display_name = address.display();
  SetupReport done;
  {
    SetupEngine engine(stack.DiscoverFunction(nullptr, nullptr), stack.CheckFunction(),
                       stack.policy(), setup);
    done = engine.Run(address, Deadline::AfterMs(options.timeout_ms));
  }

  // Sources, with what each named.
  std::map<std::string, AuditSource> sources;
  for (const SourceStatus& s : done.discovery.sources) {
    AuditSource& a = sources[s.name];
    a.name = s.name;
    a.status = s.status;
    a.detail = s.detail;
  }
  for (const ServerCandidate& c : done.discovery.candidates) {
    std::vector<Source> from = {c.source};
    from.insert(from.end(), c.also_from.begin(), c.also_from.end());
    for (Source s : from) {
      AuditSource& a = sources[std::string(ToString(s))];
      a.name = std::string(ToString(s));
      if (a.url_or_record.empty() && s == c.source) a.url_or_record = c.detail;
      a.servers.push_back(c);
    }
  }
  // Discovery's candidates come merged, grouped by protocol; a source's own
  // order (the file's order, which Thunderbird's "first incoming entry" reads:
  // POP3 before IMAP when the file says so) is the rank of the candidates it
  // found first. Those are put in rank order within the places they hold; a
  // candidate this source only shares (also_from) carries another source's
  // rank and keeps its place.
  // Only the sources that read a file: SRV and guessing have no file order
  // (their rank is a preference, and guessing's merged order is its own).
  const std::set<std::string> files = {"autoconfig",      "autoconfig-http", "well-known",
                                       "well-known-http", "ispdb",           "autodiscover"};
  for (auto& [name, s] : sources) {
    if (files.count(name) == 0) continue;
    std::vector<size_t> slots;
    std::vector<ServerCandidate> own;
    for (size_t i = 0; i < s.servers.size(); ++i) {
      if (std::string(ToString(s.servers[i].source)) == name) {
        slots.push_back(i);
        own.push_back(s.servers[i]);
      }
    }
    std::stable_sort(
        own.begin(), own.end(),
        [](const ServerCandidate& a, const ServerCandidate& b) { return a.rank < b.rank; });
    for (size_t k = 0; k < slots.size(); ++k) s.servers[slots[k]] = own[k];
  }
  for (auto& [name, s] : sources) {
    if (s.status.empty()) s.status = s.servers.empty() ? "none" : "found";
    report.sources.push_back(std::move(s));
  }

  // Endpoints: every check, with the sources that named its endpoint.
  for (const CheckResult& c : done.checks) {
    AuditEndpoint e;
    e.protocol = c.protocol;
    e.host = c.host;
    e.port = c.port;
    e.security = c.security;
    for (const ServerCandidate& cand : done.discovery.candidates) {
      if (cand.protocol != c.protocol || cand.host != c.host || cand.port != c.port ||
          cand.security != c.security) {
        continue;
      }
      std::vector<Source> from = {cand.source};
      from.insert(from.end(), cand.also_from.begin(), cand.also_from.end());
      for (Source s : from) {
        std::string n(ToString(s));
        if (std::find(e.sources.begin(), e.sources.end(), n) == e.sources.end())
          e.sources.push_back(n);
      }
    }
    if (c.error && c.error->kind == ErrorKind::kNotTried && !c.login_attempted &&
        c.greeting.empty()) {
      continue;  // never dialled: nothing to say about it
    }
    e.reachable = Reached(c);
    e.tls = c.tls;
    if (c.tls) e.days_left = DaysLeft(c.tls->not_after);
    e.starttls = c.security == Security::kStartTls && e.reachable &&
                 !(c.error && c.error->kind == ErrorKind::kStartTlsMissing);
    e.mechanisms_before_tls = c.mechanisms_before_tls;
    e.login = c.login_attempted ? (c.login_ok ? "ok" : "failed") : "not-tried";
    e.check = c;
    report.endpoints.push_back(std::move(e));
  }

  // TLS versions, every endpoint at once.
  std::vector<std::future<std::vector<std::string>>> versions;
  for (const AuditEndpoint& e : report.endpoints) {
    // Only where a handshake already worked: a silent port costs its
    // deadline once (in the check), not once more per TLS version.
    if (!e.reachable || !e.tls || e.security == Security::kPlain || e.check.address.empty()) {
      versions.emplace_back();
      continue;
    }
    versions.push_back(std::async(std::launch::async, [e, &options] {
      std::vector<std::string> accepted =
          AcceptedTlsVersions(e.check.address, e.port, e.protocol, e.security, options.phase_ms);
      // The check's own handshake worked, so some version is accepted: no
      // answer at all means the probes met a busy moment. Once more, with
      // twice the time (a port that went silent still costs only this).
      if (accepted.empty()) {
        accepted = AcceptedTlsVersions(e.check.address, e.port, e.protocol, e.security,
                                       2 * options.phase_ms);
      }
      return accepted;
    }));
  }
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i].valid()) report.endpoints[i].tls_versions = versions[i].get();
  }

  ExtraFacts facts = extra.get();
  report.srv = std::move(facts.srv);
  report.mx = std::move(facts.mx);
  report.autodiscover_status = std::move(facts.autodiscover_status);
  report.findings = Findings(report);
  report.clients = SimulateClients(report);
  report.ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
  return report;
}

}  // namespace mailscout
