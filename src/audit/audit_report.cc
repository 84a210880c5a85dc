#include "audit/audit_report.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "report/check_json.h"
#include "report/discovery_json.h"
#include "report/json_fields.h"

namespace mailscout {
namespace {

using json::Array;
using json::Object;

Object::Ptr ServerJson(const ServerCandidate& c) {
  Object::Ptr o = json::NewObject();
  o->set("protocol", std::string(ToString(c.protocol)));
  o->set("host", c.host);
  o->set("port", static_cast<int>(c.port));
  o->set("security", std::string(ToString(c.security)));
  o->set("username", c.username);
  return o;
}

Poco::Dynamic::Var SettingJson(const std::optional<Setting>& s) {
  if (!s) return Poco::Dynamic::Var();
  Object::Ptr o = json::NewObject();
  o->set("protocol", std::string(ToString(s->protocol)));
  o->set("host", s->host);
  o->set("port", static_cast<int>(s->port));
  o->set("security", std::string(ToString(s->security)));
  o->set("username", s->username);
  return o;
}

}  // namespace

std::string AuditToJsonText(const AuditReport& r) {
  Object::Ptr root = json::NewObject();
  root->set("domain", r.domain);
  root->set("email", r.email);
  root->set("password_given", r.password_given);
  Array::Ptr sources = new Array();
  for (const AuditSource& s : r.sources) {
    Object::Ptr o = json::NewObject();
    o->set("name", s.name);
    o->set("url_or_record", s.url_or_record);
    o->set("status", s.status);
    o->set("detail", s.detail);
    Array::Ptr servers = new Array();
    for (const auto& c : s.servers) servers->add(ServerJson(c));
    o->set("servers", servers);
    sources->add(o);
  }
  root->set("sources", sources);
  Array::Ptr endpoints = new Array();
  for (const AuditEndpoint& e : r.endpoints) {
    Object::Ptr o = json::NewObject();
    o->set("protocol", std::string(ToString(e.protocol)));
    o->set("host", e.host);
    o->set("port", static_cast<int>(e.port));
    o->set("security", std::string(ToString(e.security)));
    o->set("sources", json::Strings(e.sources));
    o->set("reachable", e.reachable);
    Object::Ptr tls = json::NewObject();
    tls->set("versions", json::Strings(e.tls_versions));
    if (e.tls) {
      Object::Ptr cert = json::NewObject();
      cert->set("subject_names", json::Strings(e.tls->sans));
      cert->set("subject", e.tls->subject);
      cert->set("issuer", e.tls->issuer);
      cert->set("not_after", e.tls->not_after);
      cert->set("days_left", e.days_left ? Poco::Dynamic::Var(*e.days_left) : Poco::Dynamic::Var());
      cert->set("trusted", e.tls->chain_ok);
      cert->set("trust_error", e.tls->chain_error);
      cert->set("name_ok", e.tls->name_ok);
      tls->set("certificate", cert);
    } else {
      tls->set("certificate", Poco::Dynamic::Var());
    }
    o->set("tls", e.security == Security::kPlain ? Poco::Dynamic::Var() : Poco::Dynamic::Var(tls));
    o->set("starttls", e.starttls);
    o->set("mechanisms_before_tls", json::Strings(e.mechanisms_before_tls));
    o->set("login", e.login);
    o->set("error",
           e.check.error ? Poco::Dynamic::Var(ToJson(*e.check.error)) : Poco::Dynamic::Var());
    endpoints->add(o);
  }
  root->set("endpoints", endpoints);
  Array::Ptr findings = new Array();
  for (const AuditFinding& f : r.findings) {
    Object::Ptr o = json::NewObject();
    o->set("code", f.code);
    o->set("severity", f.severity);
    o->set("message", f.message);
    o->set("fix", f.fix);
    o->set("sources", json::Strings(f.sources));
    o->set("endpoints", json::Strings(f.endpoints));
    findings->add(o);
  }
  root->set("findings", findings);
  Array::Ptr clients = new Array();
  for (const AuditClient& c : r.clients) {
    Object::Ptr o = json::NewObject();
    o->set("client", c.client);
    o->set("version", c.version);
    o->set("incoming", SettingJson(c.incoming));
    o->set("outgoing", SettingJson(c.outgoing));
    o->set("works", c.works);
    o->set("reason", c.reason);
    clients->add(o);
  }
  root->set("clients", clients);
  root->set("ms", r.ms);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(root, out, 2);
  out << "\n";
  return out.str();
}

std::string AuditText(const AuditReport& r) {
  std::ostringstream out;
  out << "Audit of " << r.domain << " (" << r.email << ")\n\n";
  if (r.findings.empty()) {
    out << "No findings: every published source agrees and every endpoint is sound.\n";
  } else {
    out << "Findings (" << r.findings.size() << "):\n";
    for (const AuditFinding& f : r.findings) {
      out << "  [" << f.severity << "] " << f.code << ": " << f.message << "\n";
      out << "      fix: " << f.fix << "\n";
    }
  }
  out << "\nEndpoints:\n";
  for (const AuditEndpoint& e : r.endpoints) {
    out << "  " << EndpointName(e.protocol, e.host, e.port, e.security);
    out << (e.sources.empty() ? "  (not published; checked)" : "  from " + [&] {
      std::string s;
      for (const auto& n : e.sources) s += (s.empty() ? "" : ", ") + n;
      return s;
    }()) << "\n";
    if (!e.reachable) {
      out << "      unreachable" << (e.check.error ? ": " + e.check.error->message : "") << "\n";
      continue;
    }
    if (!e.tls_versions.empty()) {
      std::string v;
      for (const auto& x : e.tls_versions) v += (v.empty() ? "" : " ") + x;
      out << "      TLS versions: " << v << "\n";
    }
    if (e.tls) {
      out << "      certificate: " << (e.tls->chain_ok ? "trusted" : "NOT trusted") << ", "
          << (e.tls->name_ok ? "name ok" : "WRONG name") << ", expires " << e.tls->not_after;
      if (e.days_left) out << " (" << *e.days_left << " days)";
      out << "\n";
    }
    if (!e.mechanisms_before_tls.empty()) {
      std::string m;
      for (const auto& x : e.mechanisms_before_tls) m += (m.empty() ? "" : " ") + x;
      out << "      offered before STARTTLS: " << m << "\n";
    }
    out << "      login: " << e.login;
    if (e.check.error && e.check.error->kind != ErrorKind::kNotTried)
      out << "; " << e.check.error->message;
    out << "\n";
  }
  out << "\nSources:\n";
  for (const AuditSource& s : r.sources) {
    out << "  " << s.name << ": " << s.status;
    if (!s.servers.empty()) out << ", " << s.servers.size() << " server(s)";
    out << "\n";
  }
  if (!r.clients.empty()) {
    out << "\nClient | would configure | works? | why\n";
    for (const AuditClient& c : r.clients) {
      auto setting = [](const std::optional<Setting>& s) {
        return s ? std::string(ToString(s->protocol)) + " " + s->host + ":" +
                       std::to_string(s->port) + " " + std::string(ToString(s->security))
                 : std::string("nothing");
      };
      out << c.client << " " << c.version << " | " << setting(c.incoming) << " + "
          << setting(c.outgoing) << " | " << (c.works ? "yes" : "no") << " | " << c.reason << "\n";
    }
  }
  return out.str();
}

}  // namespace mailscout
