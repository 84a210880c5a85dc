// The finding catalogue (docs/audit.md): pure rules over an AuditReport's facts.
#include <algorithm>
#include <map>
#include <set>

#include "audit/audit.h"

namespace mailscout {
namespace {

constexpr int kExpiringDays = 21;

bool Published(const std::string& source) { return source != "guess"; }

std::string Name(const AuditEndpoint& e) {
  return EndpointName(e.protocol, e.host, e.port, e.security);
}

std::string Name(const ServerCandidate& c) {
  return EndpointName(c.protocol, c.host, c.port, c.security);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
  return out;
}

std::vector<std::string> PublishedSources(const AuditEndpoint& e) {
  std::vector<std::string> out;
  for (const auto& s : e.sources) {
    if (Published(s)) out.push_back(s);
  }
  return out;
}

const AuditEndpoint* FindEndpoint(const AuditReport& r, const ServerCandidate& c) {
  for (const auto& e : r.endpoints) {
    if (e.protocol == c.protocol && e.host == c.host && e.port == c.port &&
        e.security == c.security)
      return &e;
  }
  return nullptr;
}

// Whether an endpoint's check got past the TLS stage without a certificate
// or connection problem (a login is not needed).
bool EndpointUsable(const AuditEndpoint& e) {
  if (!e.reachable) return false;
  if (!e.check.error) return true;
  switch (e.check.error->kind) {
    case ErrorKind::kAuth:
    case ErrorKind::kAuthMechanism:
    case ErrorKind::kCleartextRefused:
    case ErrorKind::kNotTried:
      return true;
    default:
      return false;
  }
}

AuditFinding Make(const char* code, const char* severity, std::string message, std::string fix,
                  std::vector<std::string> sources, std::vector<std::string> endpoints) {
  return {code,           severity,           std::move(message),
          std::move(fix), std::move(sources), std::move(endpoints)};
}

bool OffersCleartext(const AuditEndpoint& e) {
  for (const auto& m : e.mechanisms_before_tls) {
    if (m == "PLAIN" || m == "LOGIN" || m == "USER" || m == "IMAP LOGIN") return true;
  }
  return false;
}

}  // namespace

std::string EndpointName(Protocol protocol, const std::string& host, uint16_t port,
                         Security security) {
  return std::string(ToString(protocol)) + " " + host + ":" + std::to_string(port) + " " +
         std::string(ToString(security));
}

const std::vector<std::pair<std::string, std::string>>& FindingCatalogue() {
  static const std::vector<std::pair<std::string, std::string>> kCatalogue = {
      {"source-disagreement", "warning"},
      {"advertised-endpoint-closed", "error"},
      {"advertised-plaintext", "error"},
      {"auth-before-tls", "warning"},
      {"certificate-name-mismatch", "error"},
      {"certificate-untrusted", "error"},
      {"certificate-expired", "error"},
      {"certificate-expiring", "warning"},
      {"tls-legacy-version", "warning"},
      {"autoconfig-http-only", "warning"},
      {"autodiscover-requires-auth", "warning"},
      {"srv-says-no-service", "warning"},
      {"ispdb-stale", "warning"},
      {"mx-provider-unknown", "info"},
      {"nothing-published", "warning"},
      {"port-25-for-submission", "warning"},
      {"login-failed-everywhere", "error"},
  };
  return kCatalogue;
}

std::vector<AuditFinding> Findings(const AuditReport& r) {
  std::vector<AuditFinding> out;

  // Per endpoint.
  for (const AuditEndpoint& e : r.endpoints) {
    std::vector<std::string> sources = PublishedSources(e);
    if (sources.empty()) continue;  // only checked, never published: nobody is told to use it
    const std::string name = Name(e);
    if (!e.reachable) {
      std::string why = e.check.error ? e.check.error->message : "no answer";
      out.push_back(Make("advertised-endpoint-closed", "error",
                         Join(sources) + " advertise " + name + ", but it does not answer: " + why,
                         "Open the port (firewall), start the service, or stop advertising it in " +
                             Join(sources) + ".",
                         sources, {name}));
      continue;
    }
    if (e.security == Security::kPlain) {
      out.push_back(
          Make("advertised-plaintext", "error",
               Join(sources) + " tell clients to send the password to " + name + " without TLS",
               "Publish the implicit-TLS (993, 995, 465) or STARTTLS endpoint instead.", sources,
               {name}));
    }
    if (e.security == Security::kStartTls && OffersCleartext(e)) {
      out.push_back(
          Make("auth-before-tls", "warning",
               name + " offers password logins (" + Join(e.mechanisms_before_tls) +
                   ") before STARTTLS, so a client that skips STARTTLS sends the password in clear",
               "Offer authentication only after STARTTLS (Dovecot: disable_plaintext_auth = yes; "
               "Postfix: smtpd_tls_auth_only = yes).",
               sources, {name}));
    }
    if (e.tls) {
      const TlsInfo& t = *e.tls;
      bool expired = (e.days_left && *e.days_left < 0) ||
                     t.chain_error_code == 10;  // X509_V_ERR_CERT_HAS_EXPIRED
      if (expired) {
        out.push_back(Make("certificate-expired", "error",
                           name + "'s certificate expired on " + t.not_after,
                           "Renew the certificate and reload the service.", sources, {name}));
      } else if (!t.chain_ok) {
        out.push_back(
            Make("certificate-untrusted", "error",
                 name + "'s certificate is not trusted: " + t.chain_error,
                 "Use a certificate from a public CA and serve the whole chain (intermediates).",
                 sources, {name}));
      }
      if (!t.name_ok) {
        out.push_back(
            Make("certificate-name-mismatch", "error",
                 name + "'s certificate is valid for " + Join(t.sans) + ", not for " + e.host +
                     ", the name " + Join(sources) + " publish",
                 "Add " + e.host + " to the certificate, or publish a name the certificate has.",
                 sources, {name}));
      }
      if (!expired && e.days_left && *e.days_left <= kExpiringDays) {
        out.push_back(Make("certificate-expiring", "warning",
                           name + "'s certificate expires in " + std::to_string(*e.days_left) +
                               " days (" + t.not_after + ")",
                           "Renew it now; check that automatic renewal works.", sources, {name}));
      }
    }
    std::vector<std::string> legacy;
    for (const auto& v : e.tls_versions) {
      if (v == "TLSv1" || v == "TLSv1.1") legacy.push_back(v == "TLSv1" ? "TLS 1.0" : "TLS 1.1");
    }
    if (!legacy.empty()) {
      out.push_back(
          Make("tls-legacy-version", "warning", name + " accepts " + Join(legacy),
               "Accept TLS 1.2 and 1.3 only (Dovecot: ssl_min_protocol = TLSv1.2; Postfix: "
               "smtpd_tls_protocols = >=TLSv1.2).",
               sources, {name}));
    }
    if (e.protocol == Protocol::kSmtp && e.port == 25) {
      out.push_back(
          Make("port-25-for-submission", "warning",
               Join(sources) + " tell clients to submit mail on port 25 (" + name +
                   "), which many networks block and which is meant for server-to-server mail",
               "Publish submission on 465 (implicit TLS) or 587 (STARTTLS).", sources, {name}));
    }
  }

  // Per source: what each published source says first for each protocol.
  std::map<Protocol, std::map<std::string, const ServerCandidate*>> first;
  for (const AuditSource& s : r.sources) {
    if (!Published(s.name)) continue;
    for (const ServerCandidate& c : s.servers) {
      auto& slot = first[c.protocol][s.name];
      if (slot == nullptr) slot = &c;
    }
  }
  for (const auto& [protocol, by_source] : first) {
    std::map<std::string, std::vector<std::string>> by_endpoint;  // endpoint -> sources
    for (const auto& [source, c] : by_source) by_endpoint[Name(*c)].push_back(source);
    if (by_endpoint.size() < 2) continue;
    std::vector<std::string> parts;
    std::vector<std::string> endpoints;
    std::vector<std::string> sources;
    std::vector<std::string> working;
    for (const auto& [endpoint, names] : by_endpoint) {
      parts.push_back(Join(names) + " say " + endpoint);
      endpoints.push_back(endpoint);
      sources.insert(sources.end(), names.begin(), names.end());
      const ServerCandidate* c = by_source.at(names.front());
      const AuditEndpoint* e = FindEndpoint(r, *c);
      if (e != nullptr && EndpointUsable(*e)) working.push_back(endpoint);
    }
    std::string works = working.empty()                      ? "none of them works"
                        : working.size() == endpoints.size() ? "all of them work"
                                                             : Join(working) + " works";
    out.push_back(
        Make("source-disagreement", "warning",
             "For " + std::string(DisplayName(protocol)) + ", " + Join(parts) + "; " + works,
             "Publish the same server everywhere; clients read different sources and end up "
             "with different settings.",
             sources, endpoints));
  }

  // Sources by kind.
  auto source = [&r](const std::string& name) -> const AuditSource* {
    for (const auto& s : r.sources) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  if (const AuditSource* ac = source("autoconfig"); ac != nullptr && !ac->servers.empty()) {
    bool any_https = false;
    for (const auto& c : ac->servers) any_https = any_https || c.detail.rfind("https://", 0) == 0;
    const AuditSource* wk = source("well-known");
    bool wk_https = wk != nullptr && !wk->servers.empty();
    if (!any_https && !wk_https) {
      out.push_back(
          Make("autoconfig-http-only", "warning",
               "The autoconfig file is only served over plain http (" + ac->servers.front().detail +
                   "); Thunderbird and others trust it less or not at all, and anyone on the path "
                   "can change it",
               "Serve https://autoconfig." + r.domain +
                   "/mail/config-v1.1.xml with a valid certificate.",
               {"autoconfig"}, {}));
    }
  }
  for (const auto& [url, status] : r.autodiscover_status) {
    if (status != 401) continue;
    out.push_back(
        Make("autodiscover-requires-auth", "warning",
             url + " answers 401 to the unauthenticated Autodiscover request; Thunderbird's "
                   "account hub and Delta Chat stop or ask for a password there",
             "Answer the POX request without authentication (it holds no secret), or remove the "
             "autodiscover name if it is not used.",
             {"autodiscover"}, {}));
  }
  for (const AuditSrv& srv : r.srv) {
    if (!srv.no_service) continue;
    std::vector<std::string> who;
    std::vector<std::string> endpoints;
    for (const AuditEndpoint& e : r.endpoints) {
      bool same = e.protocol == srv.protocol &&
                  (srv.security == Security::kTls ? e.security == Security::kTls
                                                  : e.security != Security::kTls);
      if (!same || !EndpointUsable(e)) continue;
      for (const auto& s : PublishedSources(e)) {
        if (s != "srv" && std::find(who.begin(), who.end(), s) == who.end()) who.push_back(s);
      }
      if (!PublishedSources(e).empty()) endpoints.push_back(Name(e));
    }
    if (who.empty()) continue;
    out.push_back(Make("srv-says-no-service", "warning",
                       srv.name + " says the service is not offered (target \".\"), but " +
                           Join(who) + " list it and it works",
                       "Publish a real SRV record for " + srv.name +
                           " (mailscout serve --print-dns prints them) "
                           "or remove the \".\" record.",
                       {"srv"}, endpoints));
  }
  const AuditSource* ispdb = source("ispdb");
  if (ispdb != nullptr && !ispdb->servers.empty()) {
    for (const char* own_name : {"autoconfig", "well-known"}) {
      const AuditSource* own = source(own_name);
      if (own == nullptr || own->servers.empty()) continue;
      std::set<std::string> a;
      std::set<std::string> b;
      for (const auto& c : ispdb->servers) a.insert(Name(c));
      for (const auto& c : own->servers) b.insert(Name(c));
      if (a != b) {
        out.push_back(Make(
            "ispdb-stale", "warning",
            "The central ISPDB entry differs from the domain's own " + std::string(own_name) +
                " file; Thunderbird users get the ISPDB's settings when the domain's file is "
                "not reachable",
            "Ask for the ISPDB entry to be updated (github.com/thunderbird/autoconfig) or make it "
            "match the published file.",
            {"ispdb", own_name}, {}));
        break;
      }
    }
    bool ispdb_works = false;
    bool other_works = false;
    for (const AuditEndpoint& e : r.endpoints) {
      bool from_ispdb = std::find(e.sources.begin(), e.sources.end(), "ispdb") != e.sources.end();
      (from_ispdb ? ispdb_works : other_works) |= EndpointUsable(e);
    }
    if (!ispdb_works && other_works &&
        std::none_of(out.begin(), out.end(),
                     [](const AuditFinding& f) { return f.code == "ispdb-stale"; })) {
      out.push_back(
          Make("ispdb-stale", "warning",
               "None of the servers in the central ISPDB entry works, while other servers do",
               "Ask for the ISPDB entry to be updated (github.com/thunderbird/autoconfig).",
               {"ispdb"}, {}));
    }
  }
  const AuditSource* mx = source("mx");
  // Only an MX outside the domain points at a provider; the domain's own
  // MX host (mx.example.com for example.com) says nothing about one.
  auto own = [&r](const std::string& host) {
    return host == r.domain ||
           (host.size() > r.domain.size() &&
            host.compare(host.size() - r.domain.size(), r.domain.size(), r.domain) == 0 &&
            host[host.size() - r.domain.size() - 1] == '.');
  };
  if (!r.mx.empty() && !own(r.mx.front()) && (mx == nullptr || mx->servers.empty())) {
    out.push_back(Make(
        "mx-provider-unknown", "info",
        "The MX host " + r.mx.front() +
            " belongs to no provider mailscout or the ISPDB knows, so "
            "clients that derive settings from the MX (Thunderbird) find nothing there",
        "Nothing to fix if the domain publishes its own settings; otherwise publish autoconfig "
        "or SRV records.",
        {"mx"}, {}));
  }
  bool any_published = std::any_of(r.sources.begin(), r.sources.end(), [](const AuditSource& s) {
    return Published(s.name) && !s.servers.empty();
  });
  bool any_guess = std::any_of(r.sources.begin(), r.sources.end(), [](const AuditSource& s) {
    return s.name == "guess" && !s.servers.empty();
  });
  if (!any_published && any_guess) {
    out.push_back(
        Make("nothing-published", "warning",
             "No source publishes the mail servers; only guessing host names finds them, which "
             "some clients (Outlook, Apple Mail on some versions) do not do",
             "Publish an autoconfig file and SRV records (mailscout serve --print-dns).", {"guess"},
             {}));
  }
  if (r.password_given) {
    bool tried = false;
    bool ok = false;
    for (const AuditEndpoint& e : r.endpoints) {
      tried = tried || e.login != "not-tried";
      ok = ok || e.login == "ok";
    }
    if (tried && !ok) {
      out.push_back(Make(
          "login-failed-everywhere", "error", "The login failed on every server that was tried",
          "Check the password and the username form; see each endpoint's login result.", {}, {}));
    }
  }

  auto rank = [](const std::string& severity) {
    return severity == "error" ? 0 : severity == "warning" ? 1 : 2;
  };
  std::stable_sort(out.begin(), out.end(), [&](const AuditFinding& a, const AuditFinding& b) {
    if (rank(a.severity) != rank(b.severity)) return rank(a.severity) < rank(b.severity);
    return a.code < b.code;
  });
  return out;
}

}  // namespace mailscout
