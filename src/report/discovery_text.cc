#include "report/discovery_text.h"

#include <cstdio>
#include <sstream>

namespace mailscout {
namespace {

std::string TrustWords(Trust trust) {
  switch (trust) {
    case Trust::kAuthenticated:
      return "authenticated";
    case Trust::kUnauthenticated:
      return "NOT authenticated (plain DNS or http)";
    case Trust::kGuessed:
      return "guessed, confirmed by a probe";
  }
  return "?";
}

std::string PolicyWords(const std::string& policy) {
  if (policy == "app-password") return "login needs an app password or OAuth2";
  if (policy == "oauth2-only") return "login only with OAuth2";
  return "login with the account password";
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

}  // namespace

std::string DescribeCandidate(const ServerCandidate& c) {
  return c.host + " port " + std::to_string(c.port) + ", " + std::string(ClientWords(c.security));
}

std::string DiscoveryToText(const DiscoveryResult& r) {
  std::ostringstream out;
  out << "Mail servers for " << r.email;
  if (r.email.size() < r.domain.size() ||
      r.email.compare(r.email.size() - r.domain.size(), r.domain.size(), r.domain) != 0) {
    out << " (" << r.domain << ")";
  }
  out << "\n";
  if (r.provider) {
    const ProviderInfo& p = *r.provider;
    out << "Provider: " << (p.display_name.empty() ? p.id : p.display_name) << "; "
        << PolicyWords(p.login_policy);
    if (!p.documentation_url.empty()) out << ", see " << p.documentation_url;
    out << "\n";
  }
  for (Protocol protocol : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
    out << "\n"
        << DisplayName(protocol) << (protocol == Protocol::kSmtp ? " (outgoing)" : " (incoming)")
        << "\n";
    int n = 0;
    for (const auto& c : r.candidates) {
      if (c.protocol != protocol) continue;
      out << "  " << ++n << ". " << DescribeCandidate(c);
      out << ", user " << (c.username.empty() ? "not stated (try the address)" : c.username)
          << "\n";
      out << "     from " << ToString(c.source) << ", " << TrustWords(c.trust);
      if (!c.also_from.empty()) {
        out << "; also from";
        for (size_t i = 0; i < c.also_from.size(); ++i) {
          out << (i == 0 ? " " : ", ") << ToString(c.also_from[i]);
        }
      }
      out << "\n";
      if (!c.detail.empty()) out << "     " << c.detail << "\n";
    }
    if (n == 0) out << "  none found\n";
  }
  if (!r.warnings.empty()) {
    out << "\nWarnings\n";
    for (const auto& w : r.warnings) out << "  ! " << w << "\n";
  }
  out << "\nSources\n";
  for (const auto& s : r.sources) {
    out << "  " << Pad(s.name, 16) << Pad(s.status, 9) << Pad(std::to_string(s.ms) + " ms", 9);
    std::string detail = s.detail;
    if (detail.size() > 300) detail = detail.substr(0, 297) + "...";
    out << detail << "\n";
  }
  return out.str();
}

std::string ProgressLine(const std::vector<SourceStatus>& sources) {
  std::string running;
  for (const auto& s : sources) {
    if (s.status != "running") continue;
    if (!running.empty()) running += ", ";
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, " %.1f s", static_cast<double>(s.ms) / 1000.0);
    running += s.name + seconds;
  }
  if (running.empty()) return {};
  return "discovering: waiting for " + running;
}

}  // namespace mailscout
