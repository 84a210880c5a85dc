// `mailscout test`: log in to one server over IMAP, POP3 or SMTP with one (or
// every) security type and explain the outcome. Parses options, reads the
// password (never from argv), runs the checks on the objects engine/stack.h
// builds (logins under the login policy) and prints text or JSON.
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <openssl/crypto.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/exit_status.h"
#include "cli/login_options.h"
#include "cli/login_secrets.h"
#include "cli/oauth_options.h"
#include "cli/password.h"
#include "core/email_address.h"
#include "discover/client_config.h"
#include "discover/merge.h"
#include "discover/provider_db.h"
#include "engine/stack.h"
#include "report/check_json.h"
#include "report/check_text.h"
#include "verify/tester.h"

namespace mailscout {
namespace {

int Usage(const std::string& message) { return CommandUsageError("test", message); }

bool IsIpLiteral(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

std::vector<OptionSpec> Options() {
  std::vector<OptionSpec> options = {
      {"protocol", 0, "PROTOCOL", "imap, pop3 or smtp (required)"},
      {"host", 0, "HOST", "server host name or IP address (required)"},
      {"port", 0, "N", "port (default: from protocol and security)"},
      {"security", 0, "TYPE", "tls (default), starttls, plain, or all (each standard port)"},
      {"user", 0, "NAME", "user name to log in with (full address or local part)"},
      {"format", 0, "FORMAT", "text (default) or json"},
      {"transcript", 0, "", "show the protocol dialog (credentials shown as ***)"},
      {"timeout", 0, "SECONDS", "limit for the whole check (default: a few seconds per phase)"},
      {"dns-server", 0, "HOST[:PORT]", "DNS server to ask instead of /etc/resolv.conf",
       /*repeatable=*/true},
      {"ca-file", 0, "PEM", "also trust the CA certificates in this file"},
      {"allow-plaintext", 0, "", "allow sending the password over an unencrypted connection"},
      {"insecure-tls", 0, "", "continue despite certificate errors (still reported)"},
      {"mechanism", 0, "NAME",
       "force a login method: PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2, "
       "OAUTHBEARER, or PASSWORD (IMAP LOGIN / POP3 USER+PASS)"},
      {"probe", 0, "", "connect, TLS and capabilities only; never log in"},
      {"providers", 0, "DIR",
       "also read provider files (*.xml) from DIR, before the bundled ones (login policy, "
       "OAuth facts)",
       /*repeatable=*/true},
  };
  for (OptionSpec& spec : LoginOptionSpecs()) options.push_back(spec);
  for (OptionSpec& spec : OAuthOptionSpecs()) options.push_back(spec);
  for (OptionSpec& spec : PasswordOptions()) options.push_back(spec);
  return options;
}

// Protocol, host, security, port and the other plain options of one check.
Result<CheckRequest> ParseRequest(const ParsedArgs& args, bool* all) {
  auto usage = [](std::string message) { return Error::Make(ErrorKind::kUsage, message); };
  CheckRequest request;
  std::optional<std::string> protocol_name = args.Get("protocol");
  if (!protocol_name) return usage("--protocol is required (imap, pop3 or smtp)");
  std::optional<Protocol> protocol = ParseProtocol(*protocol_name);
  if (!protocol) return usage("unknown protocol '" + *protocol_name + "' (imap, pop3 or smtp)");
  request.protocol = *protocol;

  std::optional<std::string> host = args.Get("host");
  if (!host || host->empty()) return usage("--host is required");
  if (IsIpLiteral(*host)) {
    request.host = *host;
  } else {
    Result<std::string> ascii = ToAsciiDomain(*host);
    if (!ascii.ok()) return usage("--host: " + ascii.error().message);
    request.host = ascii.value();
  }
  const std::string security_name = args.GetOr("security", "tls");
  *all = security_name == "all";
  if (!*all) {
    std::optional<Security> security = ParseSecurity(security_name);
    if (!security)
      return usage("unknown security '" + security_name + "' (tls, starttls, plain or all)");
    request.security = *security;
  }
  if (std::optional<std::string> port = args.Get("port")) {
    if (*all) return usage("--port cannot be combined with --security all");
    std::optional<long> n = ParseInt(*port, 1, 65535);
    if (!n) return usage("--port must be a number from 1 to 65535");
    request.port = static_cast<uint16_t>(*n);
  }
  if (std::optional<std::string> mechanism = args.Get("mechanism")) {
    std::string upper = *mechanism;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    request.mechanism = upper;
  }
  request.username = args.GetOr("user", "");
  request.allow_plaintext = args.Has("allow-plaintext");
  request.transcript = args.Has("transcript");
  request.probe_only = args.Has("probe");
  return request;
}

// The OAuth token and the password, never from argv. Errors are usage errors.
Status ReadCredentials(const ParsedArgs& args, bool oauth_flow, CheckRequest& request) {
  auto usage = [](std::string message) { return Error::Make(ErrorKind::kUsage, message); };
  Result<std::optional<std::string>> token = TokenFromEnvironment(oauth_flow);
  if (!token.ok()) return token.error();
  if (token.value()) {
    request.oauth_token_expiry = JwtExpiry(*token.value());
    request.oauth_token = std::move(token.value());
  }
  if (oauth_flow && request.username.empty()) return usage("--oauth needs --user NAME");
  if (oauth_flow && request.probe_only) return usage("--oauth cannot be combined with --probe");
  // With a token, only an explicit password source is read (no prompt).
  const bool want_password = !(request.oauth_token || oauth_flow) || args.Has("password-file") ||
                             args.Has("password-stdin") || std::getenv("MAILSCOUT_PASSWORD");
  if (!request.username.empty() && !request.probe_only && want_password) {
    Result<std::optional<std::string>> password = ReadPassword(args, request.username);
    if (!password.ok()) return usage(password.error().message);
    request.password = password.value();
  } else if (args.Has("password-file") || args.Has("password-stdin")) {
    return usage("a password needs --user NAME");
  }
  if (request.password || request.oauth_token) ProtectSecrets();
  if (request.oauth_token && request.username.empty()) {
    return usage("an OAuth token needs --user NAME");
  }
  return OkStatus();
}

// One request per security type to check (plain with a secret only with
// --allow-plaintext: it would only say "cleartext refused").
std::vector<CheckRequest> ExpandRequests(const CheckRequest& request, bool all) {
  if (!all) return {request};
  std::vector<CheckRequest> requests;
  for (CheckRequest& r : ExpandAllSecurities(request)) {
    const bool secret = r.password.has_value() || r.oauth_token.has_value();
    if (r.security == Security::kPlain && secret && !r.allow_plaintext && !r.probe_only) continue;
    requests.push_back(std::move(r));
  }
  return requests;
}

// Runs every request at once. Logins go through the login policy: one at a
// time, and none after the server rejected this username
// (engine/login_policy.h).
std::vector<CheckResult> RunChecks(EngineStack& stack, std::vector<CheckRequest>& requests) {
  std::vector<std::unique_ptr<LoginGate>> gates;
  for (CheckRequest& r : requests) {
    gates.push_back(stack.policy().GateFor(r.host, {r.username}, nullptr));
    r.login_gate = gates.back().get();
  }
  std::vector<CheckResult> results(requests.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < requests.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = stack.memory().Check(requests[i]); });
  }
  for (auto& t : threads) t.join();
  return results;
}

void Wipe(std::vector<CheckRequest>& requests) {
  for (CheckRequest& r : requests) {
    for (std::optional<std::string>* secret : {&r.password, &r.oauth_token}) {
      if (*secret) OPENSSL_cleanse(secret->value().data(), secret->value().size());
    }
  }
}

int Run(const ParsedArgs& args) {
  if (!args.positionals().empty()) return Usage("unexpected argument " + args.positionals()[0]);
  bool all = false;
  Result<CheckRequest> parsed = ParseRequest(args, &all);
  if (!parsed.ok()) return Usage(parsed.error().message);
  CheckRequest& request = parsed.value();
  const std::string format = args.GetOr("format", "text");
  if (format != "text" && format != "json") return Usage("--format must be text or json");
  std::optional<long> overall_ms;
  if (std::optional<std::string> timeout = args.Get("timeout")) {
    overall_ms = ParseSecondsToMs(*timeout, 600);
    if (!overall_ms) return Usage("--timeout must be a number of seconds (up to 600)");
  }
  Result<LoginCliConfig> login = LoginConfigFromArgs(args);
  if (!login.ok()) return Usage(login.error().message);
  request.timeouts.auth = login->auth_timeout;
  Result<OAuthCliConfig> oauth = OAuthConfigFromArgs(args);
  if (!oauth.ok()) return Usage(oauth.error().message);
  if (Status read = ReadCredentials(args, oauth->enabled, request); !read.ok()) {
    return Usage(read.error().message);
  }

  StackConfig config;
  config.with_http_and_providers = true;
  config.provider_dirs = args.GetAll("providers");
  config.provider_dirs.push_back(ProviderDb::BundledDir());
  config.resolver.servers = args.GetAll("dns-server");
  config.tls.ca_file = args.GetOr("ca-file", "");
  config.insecure_logins = args.Has("insecure-tls");
  config.with_discovery = false;
  config.tls_needed = all || request.security != Security::kPlain || oauth->enabled;
  config.budget = login->budget;
  config.ledger_path = login->ledger_path;
  Result<std::unique_ptr<EngineStack>> created = EngineStack::Create(config);
  if (!created.ok()) return Usage(created.error().message);
  EngineStack& stack = *created.value();

  // What the provider database says about the user's domain: its login
  // policy (said before any password is sent) and its OAuth facts.
  std::optional<EmailAddress> address;
  if (request.username.find('@') != std::string::npos) {
    Result<EmailAddress> parsed = EmailAddress::Parse(request.username);
    if (parsed.ok()) address = parsed.value();
  }
  const ProviderEntry* provider =
      address ? stack.providers().Find(address->ascii_domain()) : nullptr;
  if (provider != nullptr && request.password && !oauth->enabled) {
    if (std::optional<std::string> warning =
            LoginPolicyWarning(ToProviderInfo(provider->config, *address), *address)) {
      std::cerr << "mailscout test: note: " << *warning << "\n";
    }
  }
  if (oauth->enabled) {
    Result<LoginSecrets> signed_in =
        SignInWithOAuth(*oauth, provider, {request.protocol}, request.username, stack.http());
    if (!signed_in.ok()) {
      std::cerr << "mailscout test: OAuth sign-in failed: " << signed_in.error().message << "\n";
      FinishProcess(signed_in.error().kind == ErrorKind::kUsage ? kExitUsage : kExitFailed);
    }
    request.oauth_token = std::move(signed_in->oauth_token);
    request.oauth_token_expiry = signed_in->oauth_token_expiry;
  }

  std::vector<CheckRequest> requests = ExpandRequests(request, all);
  if (overall_ms) {
    // Each phase keeps its own budget (capped by the whole) and the whole
    // check ends by --timeout, counted from here.
    const Deadline overall = Deadline::AfterMs(*overall_ms);
    for (CheckRequest& r : requests) r.overall = overall;
  }
  std::vector<CheckResult> results = RunChecks(stack, requests);
  if (format == "json") {
    std::cout << ChecksToJsonText(results);
  } else {
    std::cout << ChecksText(results);
    if (all && requests.size() < 3) {
      std::cout << "(plain was not tried: it would send the password unencrypted; add "
                   "--allow-plaintext to include it)\n";
    }
  }
  bool all_ok = !results.empty();
  for (const CheckResult& r : results) all_ok = all_ok && r.ok;
  // Done: everything is printed and nothing is written elsewhere. Wipe the
  // secrets, then leave without the orderly teardown of the trust store,
  // OpenSSL and the resolver thread (about 2 ms of a 40 ms check).
  Wipe(requests);
  std::vector<CheckRequest> original{std::move(request)};
  Wipe(original);
  FinishProcess(all_ok ? kExitOk : kExitFailed);
}

}  // namespace

Command MakeTestCommand() {
  Command command;
  command.name = "test";
  command.summary = "log in to one server (IMAP, POP3, SMTP) and explain any failure";
  command.usage =
      "mailscout test --protocol imap|pop3|smtp --host HOST [--port N]\n"
      "                      [--security tls|starttls|plain|all] [--user NAME] [options]";
  command.options = Options();
  command.details =
      "Resolves HOST (c-ares), connects, starts TLS (implicit or STARTTLS), reads the\n"
      "capabilities and logs in with the strongest method both sides support\n"
      "(SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN; IMAP LOGIN and POP3\n"
      "USER/PASS as fallbacks; OAUTHBEARER/XOAUTH2 with --oauth or MAILSCOUT_OAUTH_TOKEN).\n"
      "--oauth signs in at the provider's authorization server (the device code flow,\n"
      "or a browser with PKCE and a redirect to 127.0.0.1); the steps appear on stderr.\n"
      "Default ports: IMAP 993/143, POP3 995/110, SMTP 465/587.\n\n"
      "The password comes from MAILSCOUT_PASSWORD, --password-file, --password-stdin or\n"
      "a prompt on a terminal, never from the command line. Without one, everything up\n"
      "to the login is checked. A password is never sent unencrypted unless\n"
      "--allow-plaintext is given.\n\n"
      "Every failure has one kind: dns, refused, timeout, tls, certificate,\n"
      "starttls-missing, auth, auth-mechanism, cleartext-refused, protocol\n"
      "(docs/json.md, section \"check\").\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
