#include "verify/check_errors.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <initializer_list>
#include <string_view>

namespace mailscout {
namespace {

std::string Seconds(int64_t ms) {
  if (ms <= 0) return "the time allowed";
  const int64_t tenths = (ms + 50) / 100;  // nearest 0.1 s
  if (tenths % 10 == 0) return std::to_string(tenths / 10) + " s";
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

std::string Where(const CheckContext& c) { return c.host + " port " + std::to_string(c.port); }

bool IsTlsPort(Protocol p, uint16_t port) { return port == DefaultPort(p, Security::kTls); }

std::string Says(const CheckContext& c, const std::string& reply) {
  const std::string words = ServerWords(c.protocol, reply);
  if (words.empty()) return {};
  return " (" + std::string(DisplayName(c.protocol)) + " says: " + words + ")";
}

std::string TimeoutMessage(const Error& e, const CheckContext& c) {
  const std::string within = Seconds(c.phase_budget_ms);
  const Phase p = e.phase;
  if (p == Phase::kCancelled) return "The check was cancelled before it finished";
  if (p == Phase::kResolve) {
    return "The DNS lookup of " + c.host + " did not answer within " + within;
  }
  if (p == Phase::kConnect) {
    return "No answer from " + Where(c) + " within " + within +
           " (the connection attempt timed out: a firewall probably drops it)";
  }
  if (p == Phase::kTls) {
    return "The TLS handshake with " + Where(c) + " did not finish within " + within;
  }
  if (p == Phase::kGreeting) {
    std::string hint;
    if (c.security != Security::kTls && IsTlsPort(c.protocol, c.port)) {
      hint = "; this port usually expects implicit TLS: try --security tls";
    } else {
      hint = " (a silent server, or not a " + std::string(DisplayName(c.protocol)) +
             " server on this port)";
    }
    return Where(c) + " accepted the connection but sent no greeting within " + within + hint;
  }
  if (p == Phase::kOverall) {
    return "The check of " + Where(c) + " did not finish within the overall time limit";
  }
  if (p == Phase::kAuth) {
    // Servers answer a failed login late on purpose; a missing answer is
    // not a dead server.
    return Where(c) + " did not answer the login within " + within +
           ": the server is delaying its answer, as servers do after failed logins (Dovecot "
           "waits up to 15 s), so the login was probably rejected; --auth-timeout waits longer";
  }
  return "The server " + Where(c) + " stopped answering during " + std::string(ToString(p)) +
         " (no reply within " + within + ")";
}

}  // namespace

std::string ServerWords(Protocol protocol, const std::string& reply) {
  std::string words = reply;
  if (protocol == Protocol::kImap) {
    // "tag STATUS rest" or "* STATUS rest" -> "rest"
    size_t first = words.find(' ');
    if (first != std::string::npos) {
      size_t second = words.find(' ', first + 1);
      const std::string status = words.substr(
          first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
      if (status == "OK" || status == "NO" || status == "BAD" || status == "BYE") {
        words = second == std::string::npos ? status : words.substr(second + 1);
      }
    }
  } else if (protocol == Protocol::kPop3) {
    if (words.rfind("-ERR", 0) == 0 || words.rfind("+OK", 0) == 0) {
      const size_t space = words.find(' ');
      words = space == std::string::npos ? words : words.substr(space + 1);
    }
  }
  if (words.size() > 300) words = words.substr(0, 300) + "...";
  return words;
}

namespace {

bool Contains(const std::string& text, std::string_view needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

bool HostIn(const std::string& host, std::initializer_list<std::string_view> domains) {
  for (std::string_view d : domains) {
    if (host == d ||
        (host.size() > d.size() && host.compare(host.size() - d.size(), d.size(), d) == 0 &&
         host[host.size() - d.size() - 1] == '.')) {
      return true;
    }
  }
  return false;
}

constexpr const char* kBasicAuthAdvice =
    "The provider has turned off password (basic) authentication here: the password may well be "
    "right, but only OAuth2 sign-in works. Use a mail program that signs in with OAuth2 "
    "(mailscout test --oauth), or ask the administrator to allow authenticated SMTP/IMAP for this "
    "account";
constexpr const char* kAppPasswordAdvice =
    "The provider refuses the account password for mail programs: create an app password in the "
    "account's security settings and use it instead (or sign in with OAuth2)";

// A refused OAuth token: expired when its own expiry says so, else rejected
// (revoked, for another user, or without the mail scope: servers don't say).
Refusal TokenRefusal(const CheckContext& c) {
  if (c.token_expiry && *c.token_expiry <= static_cast<int64_t>(std::time(nullptr))) {
    return {"token-expired",
            "The OAuth token has expired: sign in again (mailscout --oauth) or get a fresh token"};
  }
  return {"token-rejected",
          "The token may have been revoked, belong to another user, or lack the mail scope: "
          "sign in again (mailscout --oauth) as this user, with the scope the server expects"};
}

}  // namespace

Refusal ClassifyRefusal(Protocol protocol, const std::string& host, const std::string& reply) {
  if (reply.empty()) return {};
  // Microsoft 365 / Exchange Online SMTP AUTH: 5.7.139 "... SmtpClientAuthentication is disabled
  // for the Tenant" / "basic authentication is disabled"; 5.7.30 "Basic authentication is not
  // supported for Client Submission"; 5.7.3 "Authentication unsuccessful" (basic auth off, or
  // a wrong password: Microsoft gives the same words for both).
  if (protocol == Protocol::kSmtp) {
    if (Contains(reply, "5.7.30") ||
        (Contains(reply, "5.7.139") &&
         (Contains(reply, "disabled") || Contains(reply, "basic authentication")))) {
      return {"basic-auth-disabled", kBasicAuthAdvice};
    }
    if (Contains(reply, "5.7.3 ") && Contains(reply, "Authentication unsuccessful")) {
      return {"basic-auth-disabled", std::string(kBasicAuthAdvice) +
                                         " (Microsoft answers the same for a wrong password: "
                                         "check it in the web mail first)"};
    }
    // Gmail: "534-5.7.9 Application-specific password required."
    if (Contains(reply, "Application-specific password required"))
      return {"app-password-required", kAppPasswordAdvice};
  }
  if (protocol == Protocol::kImap || protocol == Protocol::kPop3) {
    // Gmail IMAP: "[ALERT] Application-specific password required: https://support.google.com/...".
    if (Contains(reply, "Application-specific password required"))
      return {"app-password-required", kAppPasswordAdvice};
    // Outlook.com / Microsoft 365 IMAP with basic auth off: "NO AUTHENTICATE failed." (and POP3
    // "-ERR Authentication failure: unknown user name or bad password." is a real rejection).
    if (protocol == Protocol::kImap && Contains(reply, "AUTHENTICATE failed") &&
        HostIn(host, {"outlook.office365.com", "office365.com", "outlook.com", "hotmail.com",
                      "live.com"})) {
      return {"basic-auth-disabled",
              std::string(kBasicAuthAdvice) +
                  " (Outlook.com and Microsoft 365 answer 'AUTHENTICATE failed' "
                  "to every password login once basic authentication is off)"};
    }
    // Yahoo and AOL refuse account passwords for mail programs with a plain
    // "[AUTHENTICATIONFAILED] LOGIN Invalid credentials" and require app passwords.
    if (HostIn(host, {"yahoo.com", "aol.com", "ymail.com"}) &&
        Contains(reply, "Invalid credentials")) {
      return {"app-password-required",
              std::string(kAppPasswordAdvice) +
                  " (Yahoo and AOL give this answer for account passwords; a "
                  "wrong app password gets it too)"};
    }
  }
  if (protocol == Protocol::kSmtp && HostIn(host, {"yahoo.com", "aol.com"}) &&
      Contains(reply, "535")) {
    return {"app-password-required", kAppPasswordAdvice};
  }
  return {};
}

Error Explain(Error e, const CheckContext& c) {
  const std::string who = c.username.empty() ? "this account" : c.username;
  const std::string credential = c.oauth ? "OAuth token" : "password";
  switch (e.kind) {
    case ErrorKind::kTimeout:
      e.message = TimeoutMessage(e, c);
      break;
    case ErrorKind::kAuth: {
      e.message = "The server rejected the " + credential + " for " + who + Says(c, e.server_reply);
      Refusal refusal =
          c.oauth ? TokenRefusal(c) : ClassifyRefusal(c.protocol, c.host, e.server_reply);
      if (!refusal.reason.empty()) {
        e.reason = refusal.reason;
        e.message += ". " + refusal.advice;
      }
      break;
    }
    case ErrorKind::kAuthMechanism:
      if (!e.server_reply.empty()) e.message += Says(c, e.server_reply);
      break;
    case ErrorKind::kStartTlsMissing:
      if (!e.server_reply.empty()) {
        e.message = Where(c) + " refused to start TLS" + Says(c, e.server_reply);
      }
      break;
    case ErrorKind::kProtocol:
      if (!e.server_reply.empty() && e.message.find(e.server_reply) == std::string::npos) {
        e.message += Says(c, e.server_reply);
      }
      if (e.phase == Phase::kGreeting && c.security == Security::kPlain &&
          IsTlsPort(c.protocol, c.port)) {
        e.message += "; this port usually expects implicit TLS: try --security tls";
      }
      break;
    default:
      break;
  }
  return e;
}

}  // namespace mailscout
