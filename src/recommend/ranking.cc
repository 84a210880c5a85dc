#include "recommend/ranking.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <tuple>

namespace mailscout {
namespace {

bool IsSubmissionPort(uint16_t port) { return port == 465 || port == 587; }

int TrustLevel(Trust t) {
  switch (t) {
    case Trust::kAuthenticated:
      return 0;
    case Trust::kUnauthenticated:
      return 1;
    case Trust::kGuessed:
      return 2;
  }
  return 3;
}

int ProtocolLevel(Protocol p, const RankOptions& options) {
  if (p == Protocol::kSmtp) return 0;
  bool preferred = (p == Protocol::kPop3) == options.prefer_pop3;
  return preferred ? 0 : 1;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// One server (protocol/host/port/security) with its best check so far.
struct Entry {
  Standing standing;
  Setting setting;
};

using Key = std::tuple<Protocol, std::string, uint16_t, Security>;

Key KeyOf(Protocol p, const std::string& host, uint16_t port, Security s) {
  return {p, host, port, s};
}

std::string Describe(const Setting& s) {
  return std::string(DisplayName(s.protocol)) + " " + s.host + ":" + std::to_string(s.port) + " " +
         std::string(ClientWords(s.security));
}

std::string EvidenceWords(const Setting& s, Evidence e) {
  switch (e) {
    case Evidence::kVerified:
      return "login verified as " + s.username;
    case Evidence::kReachable:
      return "the server answered and offers a login, which was not tried (no password given)";
    case Evidence::kHeldBack:
      return "the server answered up to the login; mailscout did not try the password there, "
             "so that no server locks the account or bans this address";
    case Evidence::kPasswordRejected:
      return "the server works, but it rejected the password";
    case Evidence::kFailed:
      return "the server did not work";
  }
  return "";
}

std::string SecurityWords(const Standing& st) {
  switch (st.security) {
    case Security::kTls:
      return std::string("SSL/TLS from the first byte (RFC 8314)") +
             (st.certificate_ok ? ", valid certificate"
                                : ", certificate NOT valid (accepted only because of --insecure)");
    case Security::kStartTls:
      return std::string("STARTTLS") +
             (st.certificate_ok ? ", valid certificate"
                                : ", certificate NOT valid (accepted only because of --insecure)");
    case Security::kPlain:
      return "no encryption (allowed by --allow-plaintext)";
  }
  return "";
}

std::string SourceWords(const Setting& s) { return "found by " + std::string(ToString(s.source)); }

}  // namespace

int CompareStandings(const Standing& a, const Standing& b, const RankOptions& options,
                     RankRule* decided_by) {
  auto decide = [&](RankRule rule, int diff) {
    if (decided_by != nullptr) *decided_by = rule;
    return diff;
  };
  if (a.evidence != b.evidence) {
    return decide(RankRule::kEvidence, static_cast<int>(a.evidence) - static_cast<int>(b.evidence));
  }
  bool a_plain = a.security == Security::kPlain;
  bool b_plain = b.security == Security::kPlain;
  if (!a_plain && !b_plain && a.certificate_ok != b.certificate_ok) {
    return decide(RankRule::kCertificate, a.certificate_ok ? -1 : 1);
  }
  if (a_plain != b_plain) return decide(RankRule::kEncryption, a_plain ? 1 : -1);
  int pa = ProtocolLevel(a.protocol, options);
  int pb = ProtocolLevel(b.protocol, options);
  if (pa != pb) return decide(RankRule::kProtocol, pa - pb);
  bool a_tls = a.security == Security::kTls;
  bool b_tls = b.security == Security::kTls;
  if (a_tls != b_tls) return decide(RankRule::kImplicitTls, a_tls ? -1 : 1);
  int ta = TrustLevel(a.trust);
  int tb = TrustLevel(b.trust);
  if (ta != tb) return decide(RankRule::kTrust, ta - tb);
  if (a.protocol == Protocol::kSmtp && b.protocol == Protocol::kSmtp) {
    bool sa = IsSubmissionPort(a.port);
    bool sb = IsSubmissionPort(b.port);
    if (sa != sb) return decide(RankRule::kSubmissionPort, sa ? -1 : 1);
  }
  if (a.order != b.order) return decide(RankRule::kDiscoveryOrder, a.order - b.order);
  return decide(RankRule::kNone, 0);
}

std::string ExplainRule(RankRule rule, const Standing& better, const Standing& worse,
                        const RankOptions& options) {
  switch (rule) {
    case RankRule::kEvidence:
      if (better.evidence == Evidence::kVerified) {
        return worse.evidence == Evidence::kPasswordRejected
                   ? "a verified login beats a server that rejected the password"
                   : "a verified login beats a server whose login was not verified";
      }
      if (worse.evidence == Evidence::kHeldBack) {
        return better.evidence == Evidence::kPasswordRejected
                   ? "the password was tried there (and rejected); the other was not tried"
                   : "a server that answered up to the login beats one whose login was held back";
      }
      return "a server that answered up to the login beats one that rejected the password";
    case RankRule::kCertificate:
      return "a valid certificate beats one that failed verification";
    case RankRule::kEncryption:
      return "an encrypted connection is preferred to plain text";
    case RankRule::kProtocol:
      return options.prefer_pop3 ? "POP3 is preferred (--prefer pop3)"
                                 : "IMAP is preferred to POP3 (mail stays on the server)";
    case RankRule::kImplicitTls:
      return "implicit TLS (SSL/TLS) is preferred to STARTTLS (RFC 8314)";
    case RankRule::kTrust:
      return "its source is " + std::string(ToString(better.trust)) + ", the other's only " +
             std::string(ToString(worse.trust));
    case RankRule::kSubmissionPort:
      return "port " + std::to_string(better.port) + " is meant for mail submission; port " +
             std::to_string(worse.port) + " is for server-to-server mail and often blocked";
    case RankRule::kDiscoveryOrder:
      return "discovery listed it first";
    case RankRule::kNone:
      return "they are equal";
  }
  return "";
}

Evidence EvidenceOf(const CheckResult& check) {
  if (check.login_ok) return Evidence::kVerified;
  if (check.ok && !check.login_attempted) return Evidence::kReachable;
  if (check.login_attempted && check.error && check.error->kind == ErrorKind::kAuth) {
    return Evidence::kPasswordRejected;
  }
  // Everything up to the login passed, and the login policy held the login
  // back (e.g. the password was already rejected by this server).
  if (!check.login_attempted && check.error && check.error->kind == ErrorKind::kNotTried &&
      check.error->phase == Phase::kSkipped && !check.greeting.empty()) {
    return Evidence::kHeldBack;
  }
  return Evidence::kFailed;
}

bool CertificateOk(const CheckResult& check) {
  if (check.security == Security::kPlain || !check.tls) return false;
  return check.tls->chain_ok && check.tls->name_ok;
}

Standing StandingOf(const CheckResult& check, const std::vector<ServerCandidate>& candidates,
                    int fallback_order) {
  int index = MatchCandidate(candidates, check.protocol, check.host, check.port, check.security);
  Standing st;
  st.protocol = check.protocol;
  st.security = check.security;
  st.port = check.port;
  st.evidence = EvidenceOf(check);
  st.certificate_ok = CertificateOk(check);
  st.trust = index >= 0 ? candidates[index].trust : Trust::kGuessed;
  st.order = index >= 0 ? index : fallback_order;
  return st;
}

Standing OptimisticStanding(const ServerCandidate& candidate, int order) {
  Standing st;
  st.protocol = candidate.protocol;
  st.security = candidate.security;
  st.port = candidate.port;
  st.evidence = Evidence::kVerified;
  st.certificate_ok = candidate.security != Security::kPlain;
  st.trust = candidate.trust;
  st.order = order;
  return st;
}

bool Eligible(const Standing& standing, const RankOptions& options) {
  if (standing.evidence == Evidence::kFailed) return false;
  if (standing.security == Security::kPlain && !options.allow_plaintext) return false;
  return true;
}

std::string AuthWordFor(const std::string& auth_used) {
  if (auth_used.empty()) return "";
  std::string m = Upper(auth_used);
  if (m.find("OAUTH") != std::string::npos) return "OAuth2";
  if (m.find("CRAM") != std::string::npos || m.find("SCRAM") != std::string::npos ||
      m.find("DIGEST") != std::string::npos || m.find("APOP") != std::string::npos ||
      m.find("NTLM") != std::string::npos) {
    return "password-encrypted";
  }
  return "password-cleartext";
}

int MatchCandidate(const std::vector<ServerCandidate>& candidates, Protocol protocol,
                   const std::string& host, uint16_t port, Security security) {
  int same_host = -1;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const ServerCandidate& c = candidates[i];
    if (c.protocol != protocol || c.host != host) continue;
    if (c.port == port && c.security == security) return static_cast<int>(i);
    if (same_host < 0) same_host = static_cast<int>(i);
  }
  return same_host;
}

Recommendation Recommend(const std::vector<ServerCandidate>& candidates,
                         const std::vector<CheckResult>& checks, const RankOptions& options) {
  std::map<Key, Entry> best;
  for (size_t ci = 0; ci < checks.size(); ++ci) {
    const CheckResult& check = checks[ci];
    Key key = KeyOf(check.protocol, check.host, check.port, check.security);
    int index = MatchCandidate(candidates, check.protocol, check.host, check.port, check.security);
    const ServerCandidate* cand = index >= 0 ? &candidates[index] : nullptr;
    Entry e;
    e.standing = StandingOf(check, candidates, static_cast<int>(candidates.size() + ci));
    if (!Eligible(e.standing, options)) continue;

    Setting& s = e.setting;
    s.protocol = check.protocol;
    s.host = check.host;
    s.port = check.port;
    s.security = check.security;
    s.verified = check.login_ok;
    s.source = cand ? cand->source : Source::kGuess;
    if (check.login_ok || !cand || cand->username.empty()) {
      s.username = check.username;
    } else {
      s.username = cand->username;
    }
    s.auth = AuthWordFor(check.auth_used);
    if (s.auth.empty() && cand && !cand->auth.empty()) s.auth = cand->auth.front();
    if (s.auth.empty()) s.auth = "password-cleartext";

    auto it = best.find(key);
    if (it == best.end() || CompareStandings(e.standing, it->second.standing, options) < 0) {
      best[key] = std::move(e);
    }
  }

  std::vector<Entry> incoming, outgoing;
  for (auto& [key, entry] : best) {
    (entry.setting.protocol == Protocol::kSmtp ? outgoing : incoming).push_back(entry);
  }

  Recommendation rec;
  auto fill = [&](std::vector<Entry>& list, std::optional<Setting>& chosen,
                  std::vector<Setting>& alternatives) {
    std::stable_sort(list.begin(), list.end(), [&](const Entry& a, const Entry& b) {
      return CompareStandings(a.standing, b.standing, options) < 0;
    });
    if (list.empty()) return;
    const Entry& top = list.front();
    Setting first = top.setting;
    first.reason = EvidenceWords(first, top.standing.evidence) + "; " +
                   SecurityWords(top.standing) + "; " + SourceWords(first);
    if (list.size() > 1) {
      RankRule rule = RankRule::kNone;
      CompareStandings(top.standing, list[1].standing, options, &rule);
      first.reason += "; chosen over " + Describe(list[1].setting) + " because " +
                      ExplainRule(rule, top.standing, list[1].standing, options);
    }
    chosen = first;
    for (size_t i = 1; i < list.size(); ++i) {
      // Alternatives are the settings with the same evidence: "also works"
      // means as well proven as the recommendation.
      if (list[i].standing.evidence != top.standing.evidence) break;
      Setting alt = list[i].setting;
      RankRule rule = RankRule::kNone;
      CompareStandings(top.standing, list[i].standing, options, &rule);
      alt.reason = EvidenceWords(alt, list[i].standing.evidence) + "; " +
                   SecurityWords(list[i].standing) + "; " + SourceWords(alt) +
                   "; ranked lower because " +
                   ExplainRule(rule, top.standing, list[i].standing, options);
      alternatives.push_back(std::move(alt));
    }
  };
  fill(incoming, rec.incoming, rec.incoming_alternatives);
  fill(outgoing, rec.outgoing, rec.outgoing_alternatives);
  return rec;
}

}  // namespace mailscout
