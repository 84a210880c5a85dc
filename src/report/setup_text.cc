#include "report/setup_text.h"

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "recommend/ranking.h"

namespace mailscout {
namespace {

std::string Seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.2f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string HostPort(const std::string& host, uint16_t port) {
  return host + " port " + std::to_string(port);
}

std::string ServerWords(Protocol p, const std::string& host, uint16_t port, Security s) {
  return std::string(DisplayName(p)) + " " + HostPort(host, port) + " (" +
         std::string(ClientWords(s)) + ")";
}

bool Cancelled(const CheckResult& c) { return c.error && c.error->phase == Phase::kCancelled; }

std::string VerifiedMark(const Setting& s, const SetupReport& report) {
  if (s.verified) return "VERIFIED (login succeeded)";
  if (!report.password_given) return "not verified (no password given)";
  return "NOT VERIFIED (password rejected)";
}

std::string Verdict(const SetupReport& report) {
  const Recommendation& r = report.recommended;
  std::string who = report.discovery.email;
  // Without any password the provider's own policy is the truth to tell.
  if (const std::optional<ProviderInfo>& p = report.discovery.provider;
      p && !report.password_given) {
    const std::string name = p->display_name.empty() ? report.discovery.domain : p->display_name;
    if (p->login_policy == "oauth2-only") {
      return who + ": OAUTH2 REQUIRED - " + name +
             " accepts only OAuth2 sign-in for mail (no password works, not even an app "
             "password); no password was sent. Verify the login with --oauth";
    }
    if (p->login_policy == "app-password") {
      return who + ": APP PASSWORD REQUIRED - " + name +
             " refuses the account password for mail programs; verify with an app password "
             "(or --oauth)";
    }
  }
  // A refusal by policy is not a wrong password: say what the provider wants.
  if (!(r.incoming && r.incoming->verified) && !(r.outgoing && r.outgoing->verified)) {
    for (const CheckResult& c : report.checks) {
      if (!c.error || c.error->kind != ErrorKind::kAuth || c.error->reason.empty()) continue;
      if (c.error->reason == "basic-auth-disabled") {
        return who + ": OAUTH2 REQUIRED - " + c.host +
               " accepts no password logins (basic authentication is off); the password may be "
               "right";
      }
      if (c.error->reason == "token-expired" || c.error->reason == "token-rejected") {
        return who + ": OAUTH TOKEN REFUSED - " + c.host +
               (c.error->reason == "token-expired" ? " refused the token: it has expired"
                                                   : " refused the token (revoked, another "
                                                     "user's, or without the mail scope)") +
               "; sign in again with --oauth";
      }
      if (c.error->reason == "app-password-required") {
        return who + ": APP PASSWORD REQUIRED - " + c.host +
               " refuses the account password for mail programs; create an app password";
      }
    }
  }
  for (const LoginRealm& realm : report.login_policy.realms) {
    if (realm.wrong_password && !(r.incoming && r.incoming->verified) &&
        !(r.outgoing && r.outgoing->verified)) {
      return who + ": PASSWORD REJECTED - " + realm.hosts.front() +
             " rejected the password for every username form";
    }
  }
  if (!r.incoming && !r.outgoing) {
    return who + ": NOTHING WORKS - no usable incoming or outgoing server was found";
  }
  if (!r.incoming) return who + ": NO WORKING INCOMING SERVER was found (outgoing below)";
  if (!r.outgoing) return who + ": NO WORKING OUTGOING SERVER was found (incoming below)";
  if (r.incoming->verified && r.outgoing->verified) {
    return who + ": READY - incoming and outgoing mail verified by a real login";
  }
  if (!report.password_given) {
    return who +
           ": NOT VERIFIED - no password was given, so the servers were checked up to the "
           "login only";
  }
  if (!r.incoming->verified && !r.outgoing->verified) {
    return who + ": PASSWORD REJECTED - the servers work, but every login was refused";
  }
  for (const LoginRealm& realm : report.login_policy.realms) {
    if (realm.wrong_password) {
      return who + ": PASSWORD REJECTED - " + realm.hosts.front() +
             " rejected the password for every username form";
    }
  }
  return who + ": PARTLY VERIFIED - one login failed, see below";
}

void Side(std::ostringstream& out, const char* title, const std::optional<Setting>& s,
          const SetupReport& report) {
  if (!s) {
    out << title << "\n  Nothing works: see \"Problems found\" below.\n\n";
    return;
  }
  std::string heading = std::string(title) + " (" + std::string(DisplayName(s->protocol)) + ")";
  out << Pad(heading, 30) << VerifiedMark(*s, report) << "\n";
  out << "  Server          " << s->host << "\n";
  out << "  Port            " << s->port << "\n";
  out << "  Security        " << ClientWords(s->security) << "\n";
  out << "  Username        " << s->username << "\n";
  out << "  Authentication  " << AuthenticationWords(s->auth) << "\n\n";
}

void AlsoWorks(std::ostringstream& out, const Recommendation& r) {
  if (r.incoming_alternatives.empty() && r.outgoing_alternatives.empty()) return;
  out << "Also works\n";
  auto line = [&](const char* side, const Setting& s) {
    out << "  " << Pad(side, 10) << Pad(std::string(DisplayName(s.protocol)), 6)
        << Pad(HostPort(s.host, s.port), 32) << Pad(std::string(ClientWords(s.security)), 10)
        << (s.verified ? "verified" : "not verified") << "  user " << s.username << "\n";
  };
  for (const auto& s : r.incoming_alternatives) line("Incoming", s);
  for (const auto& s : r.outgoing_alternatives) line("Outgoing", s);
  out << "\n";
}

using ServerKey = std::tuple<Protocol, std::string, uint16_t, Security>;

// Why the login policy held ports back, in a few words.
std::string SkipReason(const SetupReport& report) {
  const LoginPolicyReport& policy = report.login_policy;
  for (const LoginRealm& realm : policy.realms) {
    if (realm.wrong_password) {
      return realm.hosts.front() + " already rejected the password for every username form";
    }
  }
  for (const LoginRealm& realm : policy.realms) {
    if (realm.failed >= policy.max_failed_per_run && policy.max_failed_per_run > 0) {
      return "the budget of " + std::to_string(policy.max_failed_per_run) +
             " failed logins per server was spent";
    }
    if (realm.failed + realm.failed_before >= policy.max_failed_in_all) {
      return "earlier runs already spent the budget of failed logins for " + realm.hosts.front();
    }
  }
  return "the login policy held them back";
}

// One line on the failed logins this run cost, when it cost any.
void Logins(std::ostringstream& out, const SetupReport& report) {
  const LoginPolicyReport& policy = report.login_policy;
  std::ostringstream lines;
  for (const LoginRealm& realm : policy.realms) {
    if (realm.failed == 0 && realm.failed_before == 0) continue;
    lines << "  " << realm.hosts.front() << " (" << realm.realm << "): " << realm.failed
          << " failed of " << policy.max_failed_per_run << " allowed in a run";
    if (realm.failed_before > 0) {
      lines << ", " << realm.failed_before << " more in earlier runs (" << policy.max_failed_in_all
            << " allowed in " << policy.window_seconds / 60 << " minutes)";
    }
    if (!realm.accepted.empty()) lines << "; the username " << realm.accepted << " works";
    lines << "\n";
  }
  if (lines.str().empty()) return;
  out << "Failed logins\n" << lines.str() << "\n";
}

void Problems(std::ostringstream& out, const SetupReport& report) {
  std::map<ServerKey, std::string> worked_as;  // servers where some username worked
  for (const auto& c : report.checks) {
    if (c.login_ok) worked_as[{c.protocol, c.host, c.port, c.security}] = c.username;
  }
  std::set<std::string> seen;
  std::set<ServerKey> rejected_shown;  // one entry per server for rejected logins
  size_t stopped = 0, skipped = 0;
  std::ostringstream list;
  for (const auto& c : report.checks) {
    if (!c.error) continue;
    const Error& e = *c.error;
    if (Cancelled(c)) {
      ++stopped;
      continue;
    }
    if (e.phase == Phase::kSkipped) {
      ++skipped;
      continue;
    }
    ServerKey key{c.protocol, c.host, c.port, c.security};
    if (e.kind == ErrorKind::kAuth && !rejected_shown.insert(key).second) {
      list << "      Also rejected: the username " << c.username << "\n";
      continue;
    }
    std::string line = ServerWords(c.protocol, c.host, c.port, c.security) + ": " + e.message;
    const std::string phase(ToString(e.phase));
    if (e.kind == ErrorKind::kTimeout && !phase.empty() && line.find(phase) == std::string::npos) {
      line += " (timed out in the " + phase + " step)";
    }
    if (!seen.insert(line).second) continue;
    list << "  - " << line << "\n";
    if (!e.server_reply.empty() && e.message.find(e.server_reply) == std::string::npos) {
      list << "      The server said: " << e.server_reply << "\n";
    }
    auto worked = worked_as.find(key);
    if (e.kind == ErrorKind::kAuth && worked != worked_as.end()) {
      list << "      The username " << worked->second << " worked on this server: use that form.\n";
    } else if (std::string advice = AdviceFor(e); !advice.empty()) {
      list << "      What to do: " << advice << "\n";
    }
  }
  for (const auto& c : report.checks) {
    for (const auto& w : c.warnings) {
      std::string line = ServerWords(c.protocol, c.host, c.port, c.security) + ": " + w;
      if (seen.insert(line).second) list << "  - " << line << "\n";
    }
  }
  std::string text = list.str();
  if (text.empty() && stopped == 0 && skipped == 0) return;
  out << "Problems found\n";
  if (text.empty()) out << "  None.\n";
  out << text;
  if (skipped > 0) {
    out << "  (" << skipped << (skipped == 1 ? " more port was" : " more ports were")
        << " not tried, so that no server locks the account or bans this address: "
        << SkipReason(report) << ".)\n";
  }
  if (stopped > 0) {
    out << "  (" << stopped << (stopped == 1 ? " check was" : " checks were")
        << " stopped early: the answer was already settled.)\n";
  }
  out << "\n";
}

// Where one shown setting came from, from discovery's candidates.
std::string Origin(const Setting& s, const DiscoveryResult& d) {
  int index = MatchCandidate(d.candidates, s.protocol, s.host, s.port, s.security);
  if (index < 0) return "mailscout tried this server itself";
  const ServerCandidate& c = d.candidates[index];
  if (c.port != s.port || c.security != s.security) {
    return std::string(ToString(c.source)) + " named this host (port " + std::to_string(c.port) +
           "); mailscout tried this port on the same host";
  }
  std::string text = std::string(ToString(c.source));
  if (!c.detail.empty()) text += ": " + c.detail;
  if (!c.also_from.empty()) {
    text += " (also named by";
    for (size_t i = 0; i < c.also_from.size(); ++i) {
      text += (i ? ", " : " ") + std::string(ToString(c.also_from[i]));
    }
    text += ")";
  }
  return text;
}

void Origins(std::ostringstream& out, const SetupReport& report) {
  const Recommendation& r = report.recommended;
  std::vector<const Setting*> shown;
  if (r.incoming) shown.push_back(&*r.incoming);
  for (const auto& s : r.incoming_alternatives) shown.push_back(&s);
  if (r.outgoing) shown.push_back(&*r.outgoing);
  for (const auto& s : r.outgoing_alternatives) shown.push_back(&s);
  out << "Where the settings came from\n";
  for (const Setting* s : shown) {
    out << "  " << Pad(std::string(DisplayName(s->protocol)) + " " + HostPort(s->host, s->port), 38)
        << Origin(*s, report.discovery) << "\n";
  }
  if (!report.discovery.sources.empty()) {
    out << "  Sources asked:\n";
    for (const auto& src : report.discovery.sources) {
      out << "    " << Pad(src.name, 16) << Pad(src.status, 9)
          << Pad(std::to_string(src.ms) + " ms", 9)
          << (src.detail.size() > 150 ? src.detail.substr(0, 147) + "..." : src.detail) << "\n";
    }
  }
  out << "\n";
}

// Which file or code each kind of device takes, once there is something to
// export (export/export.h; docs/exports.md says how each client imports it).
void NextSteps(std::ostream& out, const SetupReport& report) {
  const Recommendation& r = report.recommended;
  if (!r.incoming || !r.outgoing) return;
  out << "Next steps (run again with the format, or 'mailscout export FORMAT --from REPORT'\n"
         "for a report saved with --save-report)\n"
         "  Android       --format android-qr draws a code on this screen (or -o code.png,\n"
         "                -o code.svg): scan it in Thunderbird for Android's account import\n"
         "  iPhone, iPad  --format mobileconfig -o profile.mobileconfig: open the file on the\n"
         "  and Mac Mail  device and install the profile; it asks for the password\n"
         "  Thunderbird   --format thunderbird; Outlook: --format autodiscover\n"
         "  Other         --format msmtp, mbsync, neomutt or aerc\n\n";
}

}  // namespace

std::string AuthenticationWords(const std::string& auth) {
  if (auth == "password-cleartext" || auth.empty()) return "Normal password";
  if (auth == "password-encrypted") return "Encrypted password";
  if (auth == "OAuth2") return "OAuth2";
  return auth;
}

std::string AdviceFor(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kDns:
      if (e.dns == DnsOutcome::kResolverFailure) {
        return "The DNS server failed to answer for this name; try again, or another DNS "
               "server with --dns-server.";
      }
      return "This server name does not exist; it cannot be the right one.";
    case ErrorKind::kRefused:
      return "Nothing answers on this port: the service is not offered here.";
    case ErrorKind::kTimeout:
      if (e.phase == Phase::kConnect) {
        return "The port seems blocked by a firewall (no answer at all); another port or "
               "network may work.";
      }
      if (e.phase == Phase::kGreeting) {
        return "The server accepted the connection but never said hello; it is not a "
               "working mail service.";
      }
      return "The server was too slow; try again with a longer --timeout.";
    case ErrorKind::kTls:
      return "The encrypted connection could not be set up; the server may not speak TLS on "
             "this port.";
    case ErrorKind::kCertificate:
      return "Mail programs will warn or refuse: the certificate does not prove this server's "
             "identity. Tell the provider, or use a setting whose certificate is valid.";
    case ErrorKind::kStartTlsMissing:
      return "The server does not offer STARTTLS here, so the password would travel "
             "unencrypted; use SSL/TLS or another port.";
    case ErrorKind::kAuth:
      return "Check the password (and the username). Some providers need an app password "
             "for mail programs.";
    case ErrorKind::kAuthMechanism:
      return "The server offers no login method mailscout can use safely here.";
    case ErrorKind::kCleartextRefused:
      return "This server only takes passwords unencrypted, so mailscout did not send it. "
             "Only on a network you trust: run again with --allow-plaintext.";
    case ErrorKind::kProtocol:
      return "The server answered something a mail server should not; it is probably not the "
             "right server.";
    case ErrorKind::kUsage:     // never in a check
    case ErrorKind::kNotTried:  // nothing went wrong: it never ran
      return "";
  }
  return "";
}

std::string SetupText(const SetupReport& report) {
  std::ostringstream out;
  out << Verdict(report);
  if (report.ms > 0) out << " (" << Seconds(report.ms) << ")";
  out << "\n\n";
  Side(out, "INCOMING MAIL", report.recommended.incoming, report);
  Side(out, "OUTGOING MAIL", report.recommended.outgoing, report);

  const Recommendation& r = report.recommended;
  if (r.incoming || r.outgoing) {
    out << "Why these\n";
    if (r.incoming) out << "  Incoming: " << r.incoming->reason << "\n";
    if (r.outgoing) out << "  Outgoing: " << r.outgoing->reason << "\n";
    out << "\n";
  }
  AlsoWorks(out, r);
  Problems(out, report);
  Logins(out, report);
  Origins(out, report);

  std::vector<std::string> warnings = report.discovery.warnings;
  warnings.insert(warnings.end(), report.warnings.begin(), report.warnings.end());
  if (!warnings.empty()) {
    out << "Warnings\n";
    std::set<std::string> seen;
    for (const auto& w : warnings) {
      if (seen.insert(w).second) out << "  - " << w << "\n";
    }
    out << "\n";
  }
  NextSteps(out, report);
  if (!report.password_given) {
    out << "No password was given: give one (MAILSCOUT_PASSWORD, --password-file, "
           "--password-stdin or the prompt) to prove the login.\n";
  }
  std::string text = out.str();
  while (text.size() >= 2 && text[text.size() - 1] == '\n' && text[text.size() - 2] == '\n') {
    text.pop_back();
  }
  return text;
}

}  // namespace mailscout
