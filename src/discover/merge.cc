#include "discover/merge.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "discover/psl.h"

namespace mailscout {
namespace {

int ProtocolOrder(Protocol p) { return static_cast<int>(p); }
int TrustOrder(Trust t) { return static_cast<int>(t); }
int SecurityOrder(Security s) { return static_cast<int>(s); }

// Lower is better.
auto Key(const ServerCandidate& c) {
  return std::make_tuple(ProtocolOrder(c.protocol), TrustOrder(c.trust), SourceRank(c.source),
                         c.rank, SecurityOrder(c.security), c.host, c.port);
}

bool SameServer(const ServerCandidate& a, const ServerCandidate& b) {
  return a.protocol == b.protocol && a.host == b.host && a.port == b.port &&
         a.security == b.security;
}

std::string HowFound(const ServerCandidate& c) {
  switch (c.source) {
    case Source::kSrv:
      return "plain DNS (an SRV record)";
    case Source::kMx:
      return "plain DNS (the MX record)";
    case Source::kAutodiscover:
      return "an Autodiscover redirect that was not authenticated (SRV or http)";
    default:
      return "plain http";
  }
}

}  // namespace

int SourceRank(Source source) {
  switch (source) {
    case Source::kProviders:
      return 0;
    case Source::kAutoconfig:
      return 1;
    case Source::kWellKnown:
      return 2;
    case Source::kIspdb:
      return 3;
    case Source::kAutodiscover:
      return 4;
    case Source::kSrv:
      return 5;
    case Source::kMx:
      return 6;
    case Source::kGuess:
      return 7;
  }
  return 8;
}

std::vector<ServerCandidate> MergeCandidates(std::vector<ServerCandidate> all) {
  std::stable_sort(all.begin(), all.end(), [](const ServerCandidate& a, const ServerCandidate& b) {
    return Key(a) < Key(b);
  });
  std::vector<ServerCandidate> merged;
  for (auto& c : all) {
    auto it = std::find_if(merged.begin(), merged.end(),
                           [&](const ServerCandidate& m) { return SameServer(m, c); });
    if (it == merged.end()) {
      c.also_from.clear();
      merged.push_back(std::move(c));
      continue;
    }
    // `it` sorts before c, so it is the better one.
    if (c.source != it->source &&
        std::find(it->also_from.begin(), it->also_from.end(), c.source) == it->also_from.end()) {
      it->also_from.push_back(c.source);
    }
    if (it->username.empty()) it->username = c.username;
    if (it->auth.empty()) it->auth = c.auth;
  }
  return merged;
}

std::vector<std::string> TrustWarnings(const std::vector<ServerCandidate>& merged,
                                       const EmailAddress& address) {
  std::vector<std::string> warnings;
  std::set<std::string> seen;
  const std::string own = RegistrableDomain(address.ascii_domain());
  for (const auto& c : merged) {
    if (c.trust != Trust::kUnauthenticated) continue;
    if (!own.empty() && IsWithin(c.host, own)) continue;
    if (own.empty() && IsWithin(c.host, address.ascii_domain())) continue;
    if (!seen.insert(c.host).second) continue;
    std::string theirs = RegistrableDomain(c.host);
    if (theirs.empty()) theirs = c.host;
    const std::string mine = own.empty() ? address.ascii_domain() : own;
    warnings.push_back(c.host + " (" + c.detail + ") is outside " + mine + ": it belongs to " +
                       theirs + " and was found over " + HowFound(c) +
                       ", which an attacker on the network could forge. Use it only if you know "
                       "that " +
                       theirs + " hosts the mail of " + mine + ".");
  }
  return warnings;
}

std::optional<std::string> LoginPolicyWarning(const ProviderInfo& provider,
                                              const EmailAddress& address) {
  const std::string name =
      provider.display_name.empty() ? address.unicode_domain() : provider.display_name;
  std::string doc =
      provider.documentation_url.empty() ? std::string() : " See " + provider.documentation_url;
  if (provider.login_policy == "app-password") {
    std::string how = "Create an app password in the account's security settings (or use OAuth2).";
    if (!provider.app_password_text.empty()) how = provider.app_password_text + " (Or use OAuth2.)";
    if (!provider.app_password_url.empty()) {
      how += " How: " + provider.app_password_url + ".";
    } else if (!doc.empty()) {
      how += doc + ".";
    }
    return name + " needs an app password for " + address.display() +
           ": the normal account password is refused by IMAP, POP3 and SMTP. " + how;
  }
  if (provider.login_policy == "oauth2-only") {
    return name + " accepts only OAuth2 sign-in for " + address.display() +
           ": no password, not even an app password, works for IMAP, POP3 or SMTP. Use a mail "
           "client that signs in with OAuth2." +
           (doc.empty() ? "" : doc + ".");
  }
  return std::nullopt;
}

}  // namespace mailscout
