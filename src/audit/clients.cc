// Client simulation: what each mail client would configure for the audited
// address, following its own discovery order (docs/audit-clients.md has each
// order with its source), and whether that would work. Pure: a function of
// the audit's sources and endpoints.
#include <algorithm>

#include "audit/audit.h"

namespace mailscout {
namespace {

// One discovery step of a client: a mailscout source (or an http-only /
// https-only part of one) whose servers the client reads.
struct Step {
  const char* source;  // AuditSource name
  enum Transport { kAny, kHttpsOnly, kHttpOnly } transport = kAny;
};

// Each client's rules, from its own code or documentation as
// docs/audit-clients.md cites them (versions there).
struct ClientRules {
  const char* client;
  const char* version;
  std::vector<Step> steps;
  bool imap_only = false;               // POP3 entries ignored
  bool prefer_imap = true;              // false: the first incoming entry, whatever its protocol
  bool reject_file_with_plain = false;  // a plain entry makes the whole source unusable
  bool stop_at_first_answer = false;  // the first source that answered ends the search, even empty
  bool no_guess_after_401 = false;    // an Autodiscover 401 stops guessing
  bool srv_like_aerc = false;         // _imap before _imaps; _smtps instead of _submissions
  // Host names must be legal (letters, digits, '-', '.'): Thunderbird's
  // InputSanitizer.hostname refuses a domain or server name with '_'.
  bool legal_hostnames_only = false;
};

const std::vector<ClientRules>& Rules() {
  static const std::vector<ClientRules> kRules = {
      {"Thunderbird",
       "153.8.0esr",
       {{"autoconfig", Step::kHttpsOnly},
        {"well-known", Step::kHttpsOnly},
        {"autoconfig", Step::kHttpOnly},
        {"well-known", Step::kHttpOnly},
        {"ispdb"},
        {"mx"},
        {"autodiscover"},
        {"guess"}},
       /*imap_only=*/false,
       /*prefer_imap=*/false,
       /*reject_file_with_plain=*/false,
       /*stop_at_first_answer=*/false,
       /*no_guess_after_401=*/true,
       /*srv_like_aerc=*/false,
       /*legal_hostnames_only=*/true},
      {"Thunderbird for Android",
       "22.0",
       {{"autoconfig", Step::kHttpsOnly},
        {"well-known", Step::kHttpsOnly},
        {"autoconfig", Step::kHttpOnly},
        {"well-known", Step::kHttpOnly},
        {"ispdb"},
        {"mx"}},
       /*imap_only=*/true,
       /*prefer_imap=*/true,
       /*reject_file_with_plain=*/true},
      {"Delta Chat",
       "2.57.0",
       {{"autoconfig", Step::kHttpsOnly},
        {"well-known", Step::kHttpsOnly},
        {"autodiscover"},
        {"ispdb"},
        {"guess"}},
       /*imap_only=*/true,
       /*prefer_imap=*/true,
       /*reject_file_with_plain=*/false,
       /*stop_at_first_answer=*/true},
      {"Outlook", "classic (Microsoft 365 Apps)", {{"autodiscover"}}},
      // Apple documents no discovery order: guessing is assumed.
      {"Apple Mail", "iOS 18 / macOS 15 (undocumented; guessing assumed)", {{"guess"}}},
      {"aerc",
       "0.21",
       {{"srv"},
        {"autoconfig", Step::kHttpsOnly},
        {"well-known", Step::kHttpsOnly},
        {"ispdb"},
        {"guess"},
        {"mx"}},
       /*imap_only=*/true,
       /*prefer_imap=*/true,
       /*reject_file_with_plain=*/false,
       /*stop_at_first_answer=*/false,
       /*no_guess_after_401=*/false,
       /*srv_like_aerc=*/true},
      {"Evolution",
       "3.x (evolution-data-server e-mail-autoconfig)",
       {{"autoconfig", Step::kHttpsOnly},
        {"autoconfig", Step::kHttpOnly},
        {"well-known", Step::kHttpsOnly},
        {"well-known", Step::kHttpOnly},
        {"ispdb"},
        {"mx"},
        {"srv"}}},
  };
  return kRules;
}

bool TransportMatches(const ServerCandidate& c, Step::Transport t) {
  if (t == Step::kAny) return true;
  bool https = c.detail.rfind("https://", 0) == 0;
  bool http = c.detail.rfind("http://", 0) == 0;
  return t == Step::kHttpsOnly ? https || (!http) : http;
}

// A host name Thunderbird's InputSanitizer.hostname refuses (isLegalHostNameOrIP:
// '_' is not a host name character).
bool Illegal(const std::string& host) { return host.find('_') != std::string::npos; }

const AuditEndpoint* EndpointFor(const AuditReport& r, const Setting& s) {
  for (const auto& e : r.endpoints) {
    if (e.protocol == s.protocol && e.host == s.host && e.port == s.port &&
        e.security == s.security)
      return &e;
  }
  return nullptr;
}

// Why an endpoint would not work for a client; empty when it would.
std::string Problem(const AuditReport& r, const Setting& s, const ClientRules& rules) {
  const std::string name = EndpointName(s.protocol, s.host, s.port, s.security);
  const AuditEndpoint* e = EndpointFor(r, s);
  if (e == nullptr) return name + " was not checked";
  if (!e->reachable) return name + " does not answer";
  // A plain entry is not refused: the real Thunderbird 153 (ConfigVerifier)
  // and Delta Chat 2.57.0 both log in without TLS when the source says so
  // (tests/e2e/audit/audit_clients_test.py, a-plain.example). The reason says
  // the password goes in clear; advertised-plaintext is the finding.
  if (e->security == Security::kStartTls && !e->starttls) return name + " does not offer STARTTLS";
  if (e->tls && (!e->tls->chain_ok || !e->tls->name_ok)) {
    return name + "'s certificate is " + (!e->tls->chain_ok ? "not trusted" : "for another name");
  }
  if (e->check.error && e->check.error->kind != ErrorKind::kNotTried &&
      e->check.error->kind != ErrorKind::kAuth &&
      e->check.error->kind != ErrorKind::kCleartextRefused) {  // mailscout's own refusal
    return name + ": " + e->check.error->message;
  }
  if (r.password_given && e->login == "failed") return "the login on " + name + " fails";
  return "";
}

}  // namespace

std::vector<AuditClient> SimulateClients(const AuditReport& r) {
  std::vector<AuditClient> out;
  for (const ClientRules& rules : Rules()) {
    AuditClient client;
    client.client = rules.client;
    client.version = rules.version;
    std::string used;
    std::string blocked;
    if (rules.legal_hostnames_only && Illegal(r.domain)) {
      blocked = "it refuses the domain name: '_' is not allowed in a host name";
    }
    for (const Step& step : rules.steps) {
      if (!blocked.empty()) break;
      const AuditSource* source = nullptr;
      for (const auto& s : r.sources) {
        if (s.name == step.source) source = &s;
      }
      if (source == nullptr) continue;
      if (std::string(step.source) == "guess" && rules.no_guess_after_401 &&
          std::any_of(r.autodiscover_status.begin(), r.autodiscover_status.end(),
                      [](const auto& s) { return s.second == 401; })) {
        blocked =
            "an Autodiscover URL answered 401, so it asks for credentials instead of guessing";
        break;
      }
      std::vector<ServerCandidate> servers;
      for (const auto& c : source->servers) {
        if (!TransportMatches(c, step.transport)) continue;
        if (rules.srv_like_aerc && c.detail.find("_submissions.") != std::string::npos) continue;
        if (rules.legal_hostnames_only && Illegal(c.host)) continue;  // the entry is invalid
        servers.push_back(c);
      }
      if (rules.srv_like_aerc && std::string(step.source) == "srv") {
        std::stable_sort(servers.begin(), servers.end(),
                         [](const ServerCandidate& a, const ServerCandidate& b) {
                           return a.detail.find("_imap._tcp") != std::string::npos &&
                                  b.detail.find("_imap._tcp") == std::string::npos;
                         });
      }
      if (rules.reject_file_with_plain &&
          std::any_of(servers.begin(), servers.end(),
                      [](const ServerCandidate& c) { return c.security == Security::kPlain; })) {
        continue;  // the whole file is refused
      }
      if (servers.empty()) {
        if (rules.stop_at_first_answer && source->status == "found" &&
            step.transport != Step::kHttpOnly) {
          blocked = "the first source that answered (" + std::string(step.source) +
                    ") names no usable server";
          break;
        }
        continue;
      }
      auto incoming = std::find_if(servers.begin(), servers.end(), [&](const ServerCandidate& c) {
        return c.protocol == Protocol::kImap ||
               (!rules.imap_only && !rules.prefer_imap && c.protocol == Protocol::kPop3);
      });
      if (incoming == servers.end() && !rules.imap_only) {
        incoming = std::find_if(servers.begin(), servers.end(), [](const ServerCandidate& c) {
          return c.protocol == Protocol::kPop3;
        });
      }
      auto outgoing = std::find_if(servers.begin(), servers.end(), [](const ServerCandidate& c) {
        return c.protocol == Protocol::kSmtp;
      });
      if (incoming == servers.end() && outgoing == servers.end()) continue;
      if (incoming != servers.end()) client.incoming = SettingOf(*incoming);
      if (outgoing != servers.end()) client.outgoing = SettingOf(*outgoing);
      used = step.source;
      if (step.transport == Step::kHttpOnly) used += " (http)";
      break;
    }
    if (!client.incoming && !client.outgoing && !blocked.empty()) {
      client.reason = "finds nothing: " + blocked;
    } else if (!client.incoming && !client.outgoing) {
      client.reason = "finds nothing: none of the sources it reads (";
      for (size_t i = 0; i < rules.steps.size(); ++i)
        client.reason += (i ? ", " : "") + std::string(rules.steps[i].source);
      client.reason += ") publishes the servers";
    } else {
      std::vector<std::string> problems;
      if (!client.incoming) problems.push_back("no incoming server from " + used);
      if (!client.outgoing) problems.push_back("no outgoing server from " + used);
      if (client.incoming) {
        if (std::string p = Problem(r, *client.incoming, rules); !p.empty()) problems.push_back(p);
      }
      if (client.outgoing) {
        if (std::string p = Problem(r, *client.outgoing, rules); !p.empty()) problems.push_back(p);
      }
      client.works = problems.empty();
      client.reason = "from " + used + (problems.empty() ? "" : ": ");
      for (size_t i = 0; i < problems.size(); ++i) client.reason += (i ? "; " : "") + problems[i];
      std::vector<std::string> clear;
      for (const auto& s : {client.incoming, client.outgoing}) {
        if (s && s->security == Security::kPlain)
          clear.push_back(EndpointName(s->protocol, s->host, s->port, s->security));
      }
      if (!clear.empty()) {
        client.reason += std::string(problems.empty() ? "" : ";") +
                         " without TLS, the password goes in clear to ";
        for (size_t i = 0; i < clear.size(); ++i) client.reason += (i ? " and " : "") + clear[i];
      }
    }
    out.push_back(std::move(client));
  }
  return out;
}

}  // namespace mailscout
