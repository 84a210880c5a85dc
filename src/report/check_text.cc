#include "report/check_text.h"

namespace mailscout {
namespace {

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

void Field(std::string& out, const std::string& name, const std::string& value) {
  if (value.empty()) return;
  std::string label = "  " + name;
  label.resize(16, ' ');
  out += label + value + "\n";
}

std::string Shorten(const std::string& text) {
  return text.size() <= 160 ? text : text.substr(0, 160) + "...";
}

std::string Verdict(const CheckResult& c) {
  if (!c.ok) return c.error ? std::string(ToString(c.error->kind)) : "failed";
  if (c.login_ok) return "logged in with " + c.auth_used;
  if (c.username.empty()) return "reachable (no login tried: no user given)";
  return "reachable (no login tried: no password given)";
}

std::string TlsLine(const TlsInfo& tls) {
  return tls.version + (tls.cipher.empty() ? "" : " " + tls.cipher);
}

std::string CertificateLines(const TlsInfo& tls) {
  std::string out = tls.subject.empty() ? "(none)" : tls.subject;
  if (!tls.issuer.empty()) out += ", issued by " + tls.issuer;
  if (!tls.not_after.empty()) out += ", valid " + tls.not_before + " to " + tls.not_after;
  if (!tls.sans.empty()) out += "\n" + std::string(16, ' ') + "names: " + Join(tls.sans, ", ");
  out += "\n" + std::string(16, ' ') + "chain: " +
         (tls.chain_ok ? std::string("trusted") : "NOT trusted (" + tls.chain_error + ")") +
         "; name: " + (tls.name_ok ? "matches" : "DOES NOT match");
  return out;
}

std::string Timings(const CheckResult& c) {
  std::string out;
  for (const PhaseTiming& t : c.timings) {
    if (!out.empty()) out += ", ";
    out += std::string(ToString(t.phase)) + " " + std::to_string(t.ms) + " ms";
  }
  if (out.empty()) return out;
  return out + " (total " + std::to_string(c.ms) + " ms)";
}

}  // namespace

std::string CheckVerdictLine(const CheckResult& c) {
  std::string line = c.ok ? "[PASS] " : "[FAIL] ";
  line += std::string(DisplayName(c.protocol)) + " " + c.host + ":" + std::to_string(c.port) + " " +
          std::string(ClientWords(c.security));
  if (!c.username.empty()) line += "  " + c.username;
  line += "  " + Verdict(c) + "  (" + std::to_string(c.ms) + " ms)";
  return line;
}

std::string CheckText(const CheckResult& c, const CheckTextOptions& options) {
  std::string out = CheckVerdictLine(c) + "\n";
  if (c.error) {
    out += "       " + c.error->message + "\n";
    if (!c.error->server_reply.empty() && c.error->message.find(" says: ") == std::string::npos &&
        c.error->message.find(c.error->server_reply) == std::string::npos) {
      out += "       server said: " + c.error->server_reply + "\n";
    }
  }
  if (!options.details) return out;
  Field(out, "address", c.address);
  Field(out, "greeting", c.greeting);
  if (c.tls) {
    Field(out, "TLS", TlsLine(*c.tls));
    Field(out, "certificate", CertificateLines(*c.tls));
  } else if (c.security == Security::kPlain && !c.greeting.empty()) {
    Field(out, "TLS", "none (not encrypted)");
  }
  Field(out, "capabilities", Join(c.capabilities, " "));
  Field(out, "mechanisms", Join(c.auth_mechanisms, " "));
  if (c.login_attempted) {
    Field(out, "login", c.auth_used + (c.auth_reply.empty() ? "" : ": " + Shorten(c.auth_reply)));
  }
  for (const std::string& w : c.warnings) Field(out, "warning", w);
  Field(out, "timings", Timings(c));
  if (options.transcript && !c.transcript.empty()) {
    out += "  transcript\n";
    for (const std::string& line : c.transcript) out += "    " + line + "\n";
  }
  return out;
}

std::string ChecksText(const std::vector<CheckResult>& checks, const CheckTextOptions& options) {
  std::string out;
  size_t passed = 0;
  for (size_t i = 0; i < checks.size(); ++i) {
    if (i > 0) out += "\n";
    out += CheckText(checks[i], options);
    if (checks[i].ok) ++passed;
  }
  if (checks.size() > 1) {
    out +=
        "\n" + std::to_string(passed) + " of " + std::to_string(checks.size()) + " checks passed\n";
  }
  return out;
}

}  // namespace mailscout
