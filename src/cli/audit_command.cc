// `mailscout audit DOMAIN|EMAIL`: every published source asked to the end,
// every endpoint they name checked (TLS versions, certificate, STARTTLS,
// what is offered before TLS, a login with a password), and the findings of
// the catalogue (docs/audit.md). Exit status 0 when no finding reaches
// --fail-on, 1 otherwise, 2 for bad input: fit for cron and monitoring.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iostream>

#include "audit/audit.h"
#include "audit/audit_report.h"
#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/discovery_options.h"
#include "cli/exit_status.h"
#include "cli/login_options.h"
#include "cli/login_secrets.h"
#include "cli/oauth_options.h"
#include "cli/password.h"
#include "core/email_address.h"

namespace mailscout {
namespace {

int UsageError(const std::string& message) { return CommandUsageError("audit", message); }

std::vector<OptionSpec> Options() {
  std::vector<OptionSpec> options = {
      {"format", 0, "FORMAT", "text (default) or json"},
      {"fail-on", 0, "LEVEL",
       "exit 1 when a finding is at least this severe: error (default), warning, never"},
      {"clients", 0, "LIST", "simulate only these clients (comma-separated)"},
      {"phase-timeout", 0, "SECONDS", "limit for each step of a check (default 5)"},
      {"allow-plaintext", 0, "", "allow sending the password over an unencrypted connection"},
  };
  for (OptionSpec& spec : DiscoveryOptionSpecs()) {
    if (spec.name == "timeout") spec.help = "limit for the whole audit (default 60)";
    options.push_back(std::move(spec));
  }
  for (OptionSpec& spec : LoginOptionSpecs()) options.push_back(std::move(spec));
  options.push_back(
      {"try-password", 0, "", "send the password even where the provider accepts only OAuth2"});
  for (OptionSpec& spec : OAuthOptionSpecs()) options.push_back(std::move(spec));
  for (OptionSpec& spec : PasswordOptions()) options.push_back(std::move(spec));
  return options;
}

// "Thunderbird for Android" -> "thunderbirdforandroid": how --clients names match.
std::string Normal(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

int Rank(const std::string& severity) {
  return severity == "error" ? 2 : severity == "warning" ? 1 : 0;
}

int Run(const ParsedArgs& args) {
  if (args.positionals().size() != 1) {
    return UsageError(args.positionals().empty()
                          ? "which domain or address? (mailscout audit DOMAIN)"
                          : "give exactly one domain or address");
  }
  const std::string format = args.GetOr("format", "text");
  if (format != "text" && format != "json") return UsageError("--format must be text or json");
  const std::string fail_on = args.GetOr("fail-on", "error");
  if (fail_on != "error" && fail_on != "warning" && fail_on != "never") {
    return UsageError("--fail-on must be error, warning or never");
  }
  std::string target = args.positionals()[0];
  if (target.find('@') == std::string::npos) target = "postmaster@" + target;
  Result<EmailAddress> address = EmailAddress::Parse(target);
  if (!address.ok()) return UsageError(address.error().message);

  std::vector<std::string> wanted;
  if (auto list = args.Get("clients")) {
    const std::vector<std::string> known = {
        "thunderbird", "thunderbirdforandroid", "k9", "deltachat", "outlook", "applemail", "aerc"};
    size_t start = 0;
    while (start <= list->size()) {
      size_t end = list->find(',', start);
      if (end == std::string::npos) end = list->size();
      std::string name = Normal(list->substr(start, end - start));
      if (!name.empty()) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          return UsageError(
              "--clients: unknown client '" + list->substr(start, end - start) +
              "' (thunderbird, thunderbird-for-android, deltachat, outlook, apple-mail, aerc)");
        }
        wanted.push_back(name == "k9" ? "thunderbirdforandroid" : name);
      }
      start = end + 1;
    }
  }

  AuditOptions options;
  options.allow_plaintext = args.Has("allow-plaintext");
  if (auto phase = args.Get("phase-timeout")) {
    std::optional<long> ms = ParseSecondsToMs(*phase, 120);
    if (!ms) return UsageError("--phase-timeout must be a number of seconds (up to 120)");
    options.phase_ms = *ms;
  }
  Result<LoginCliConfig> login = LoginConfigFromArgs(args);
  if (!login.ok()) return UsageError(login.error().message);
  Result<OAuthCliConfig> oauth = OAuthConfigFromArgs(args);
  if (!oauth.ok()) return UsageError(oauth.error().message);
  Result<DiscoveryCliConfig> config = DiscoveryConfigFromArgs(args);
  if (!config.ok()) return UsageError(config.error().message);
  if (args.Has("timeout")) options.timeout_ms = config->timeout_ms;
  StackConfig stack_config = config->stack;
  stack_config.discovery.wait_for_all = true;  // every source to the end
  // Guess too when other sources answered: Apple Mail and others only guess.
  stack_config.discovery.guess_always = !args.Has("no-guess");
  stack_config.budget = login->budget;
  stack_config.ledger_path = login->ledger_path;
  if (!args.Has("probe-timeout")) stack_config.discovery.probe_timeout_ms = options.phase_ms;
  Result<std::unique_ptr<EngineStack>> created = EngineStack::Create(stack_config);
  if (!created.ok()) return UsageError(created.error().message);
  EngineStack& stack = *created.value().release();  // FinishProcess() ends the process

  Result<LoginSecrets> secrets =
      ReadLoginSecrets(args, oauth.value(), address.value(), std::nullopt, stack, "audit");
  if (!secrets.ok()) {
    if (secrets.error().kind == ErrorKind::kUsage) return UsageError(secrets.error().message);
    std::cerr << "mailscout audit: " << secrets.error().message << "\n";
    FinishProcess(kExitFailed);
  }
  options.password = secrets->password;
  options.oauth_token = secrets->oauth_token;
  options.oauth_token_expiry = secrets->oauth_token_expiry;
  secrets->Wipe();

  AuditReport report = RunAudit(stack, address.value(), options);
  options.password.reset();
  options.oauth_token.reset();
  if (!wanted.empty()) {
    std::erase_if(report.clients, [&](const AuditClient& c) {
      return std::find(wanted.begin(), wanted.end(), Normal(c.client)) == wanted.end();
    });
  }
  std::cout << (format == "json" ? AuditToJsonText(report) : AuditText(report)) << std::flush;
  int worst = -1;
  for (const AuditFinding& f : report.findings) worst = std::max(worst, Rank(f.severity));
  int threshold = fail_on == "never" ? 3 : Rank(fail_on);
  FinishProcess(worst >= threshold ? kExitFailed : kExitOk);
}

}  // namespace

Command MakeAuditCommand() {
  Command command;
  command.name = "audit";
  command.summary =
      "check a domain's published mail settings: every source, every endpoint, findings";
  command.usage =
      "mailscout audit DOMAIN|EMAIL [--format text|json] [--fail-on error|warning|never]\n"
      "                             [--clients LIST] [password options] [discover options]";
  command.options = Options();
  command.details =
      "Asks every source to the end (bundled database, autoconfig over https and\n"
      "http, .well-known, the ISPDB, SRV, the MX's provider, Autodiscover, guessing),\n"
      "checks every endpoint any source names (TLS versions 1.0 to 1.3, certificate\n"
      "chain, name and days left, STARTTLS, what is offered before TLS, and a login\n"
      "when a password is given, under setup's login policy: no lockouts), and lists\n"
      "the findings (docs/audit.md has the catalogue: codes, severities, fixes).\n\n"
      "Exit status 0 when no finding reaches --fail-on (default error), 1 otherwise,\n"
      "2 for bad input.\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
