// `mailscout setup EMAIL`: discover, verify every candidate in parallel,
// recommend the best incoming and outgoing settings with reasons, and print
// the helpdesk card, the JSON report or a client file
// (recommend/setup_runner.h does the work; this file wires the CLI to it).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/discovery_options.h"
#include "cli/exit_status.h"
#include "cli/password.h"
#include "core/email_address.h"
#include "discover/discovery.h"
#include "discover/provider_db.h"
#include "discover/tester_prober.h"
#include "export/render.h"
#include "recommend/setup_runner.h"
#include "recommend/verifying_prober.h"
#include "report/discovery_text.h"
#include "report/setup_json.h"
#include "report/setup_text.h"
#include "verify/tester.h"

namespace mailscout {
namespace {

constexpr int64_t kDefaultSetupTimeoutMs = 30000;
constexpr int64_t kDefaultPhaseTimeoutMs = 5000;

int UsageError(const std::string& message) { return CommandUsageError("setup", message); }

std::vector<OptionSpec> Options() {
  std::vector<OptionSpec> options = {
      {"format", 0, "FORMAT", "text (default), json, or a client file: " + OutputFormatList()},
      {"output", 'o', "FILE", "write the output to FILE instead of standard output"},
      {"save-report", 0, "FILE", "also write the JSON report to FILE (for 'mailscout export')"},
      {"user", 0, "NAME", "log in with this username only (default: try the usual forms)"},
      {"prefer", 0, "PROTOCOL", "imap (default) or pop3 for incoming mail"},
      {"allow-plaintext", 0, "", "allow sending the password over an unencrypted connection"},
      {"insecure-tls", 0, "", "log in despite certificate errors (still reported, ranked lower)"},
      {"name", 0, "NAME", "the account holder's name for exported files"},
      {"phase-timeout", 0, "SECONDS",
       "limit for each step of a check: connect, TLS, greeting, ... (default 5)"},
      {"check-all", 0, "", "check every server even after the best one is verified"},
      {"transcript", 0, "", "keep the protocol dialogs in the JSON report (credentials as ***)"},
  };
  for (OptionSpec& spec : DiscoveryOptionSpecs()) {
    if (spec.name == "timeout") spec.help = "limit for the whole setup (default 30)";
    options.push_back(std::move(spec));
  }
  for (OptionSpec& spec : PasswordOptions()) options.push_back(std::move(spec));
  return options;
}

int Run(const ParsedArgs& args) {
  if (args.positionals().size() != 1) {
    return UsageError(args.positionals().empty() ? "which address? (mailscout setup EMAIL)"
                                                 : "give exactly one address");
  }
  const std::string format = args.GetOr("format", "text");
  if (!IsOutputFormat(format)) {
    return UsageError("unknown --format '" + format + "' (one of " + OutputFormatList() + ")");
  }
  Result<EmailAddress> address = EmailAddress::Parse(args.positionals()[0]);
  if (!address.ok()) return UsageError(address.error().message);

  SetupOptions options;
  const std::string prefer = args.GetOr("prefer", "imap");
  if (prefer != "imap" && prefer != "pop3") {
    return UsageError("--prefer must be imap or pop3, not '" + prefer + "'");
  }
  options.rank.prefer_pop3 = prefer == "pop3";
  options.rank.allow_plaintext = args.Has("allow-plaintext");
  if (auto user = args.Get("user")) {
    if (user->empty()) return UsageError("--user needs a name");
    options.username = *user;
  }
  options.display_name = args.GetOr("name", "");
  options.transcript = args.Has("transcript");
  options.check_all = args.Has("check-all");
  int64_t phase_ms = kDefaultPhaseTimeoutMs;
  if (auto phase = args.Get("phase-timeout")) {
    std::optional<long> ms = ParseSecondsToMs(*phase, 120);
    if (!ms) return UsageError("--phase-timeout must be a number of seconds (up to 120)");
    phase_ms = *ms;
  }
  options.timeouts = PhaseTimeouts::All(Millis(phase_ms));
  options.timeouts.auth = Millis(std::max<int64_t>(phase_ms, 8000));

  Result<DiscoveryCliConfig> config = DiscoveryConfigFromArgs(args);
  if (!config.ok()) return UsageError(config.error().message);
  const int64_t total_ms = args.Has("timeout") ? config->timeout_ms : kDefaultSetupTimeoutMs;
  Result<std::unique_ptr<DiscoveryStack>> created = DiscoveryStack::Create(config.value());
  if (!created.ok()) return UsageError(created.error().message);
  DiscoveryStack& stack = *created.value();

  // A separate TLS client for the logins when certificate errors may be
  // overridden; discovery's HTTPS always verifies.
  std::unique_ptr<TlsClient> insecure_tls;
  std::unique_ptr<Tester> insecure_tester;
  const Tester* tester = &stack.tester();
  if (args.Has("insecure-tls")) {
    TlsOptions tls_options = config->tls;
    tls_options.insecure = true;
    insecure_tls = std::make_unique<TlsClient>(tls_options);
    insecure_tester = std::make_unique<Tester>(stack.resolver(), *insecure_tls);
    tester = insecure_tester.get();
  }

  Result<std::optional<std::string>> password = ReadPassword(args, address->display());
  if (!password.ok()) return UsageError(password.error().message);
  options.password = password.value();
  if (options.password) ProtectSecrets();

  const bool show_progress = isatty(STDERR_FILENO) == 1;
  std::mutex progress_mu;
  if (show_progress) {
    options.progress = [&progress_mu](const std::string& line) {
      std::lock_guard<std::mutex> lock(progress_mu);
      std::cerr << "\r\033[K  " << line << "\n" << std::flush;
    };
    if (!options.password) {
      std::cerr << "No password given: checking every server up to the login.\n";
    }
  }

  // Discovery with a prober that logs in while it confirms a guessed host,
  // so a guessed server is verified in one connection (recommend/
  // verifying_prober.h); the runner takes those results from its cache.
  TesterProber plain_prober(*tester);
  CheckRequest login_base;
  login_base.username = options.username.value_or(UsernameForms("", address.value()).front());
  login_base.password = options.password;
  login_base.allow_plaintext = options.rank.allow_plaintext;
  login_base.transcript = options.transcript;
  login_base.timeouts = options.timeouts;
  VerifyingProber prober(
      plain_prober, [tester](const CheckRequest& r) { return tester->Check(r); },
      std::move(login_base));
  Discovery discovery(stack.resolver(), stack.http(), &prober, stack.providers(),
                      config->discovery);

  const Deadline deadline = Deadline::AfterMs(total_ms);
  const Deadline discovery_deadline =
      Deadline::Earliest(deadline, Deadline::AfterMs(config->timeout_ms));
  DiscoverFn discover = [&](const EmailAddress& a, Deadline d) {
    ProgressFn progress;
    if (show_progress) {
      progress = [&progress_mu](const std::vector<SourceStatus>& sources) {
        std::lock_guard<std::mutex> lock(progress_mu);
        ShowDiscoveryProgress(sources);
      };
    }
    DiscoveryResult result = discovery.Run(a, Deadline::Earliest(d, discovery_deadline), progress);
    if (show_progress) {
      std::lock_guard<std::mutex> lock(progress_mu);
      ClearDiscoveryProgress();
    }
    AddProviderWarnings(stack.providers(), &result);
    return result;
  };
  CheckFn check = [tester, &prober](const CheckRequest& request) {
    if (std::optional<CheckResult> cached = prober.Cached(request)) return *cached;
    return tester->Check(request);
  };

  // Not destroyed: FinishProcess() ends the process without waiting for the
  // checks it cancelled (see cli/cli_util.h).
  auto* runner = new SetupRunner(discover, check, options);
  options.password.reset();
  SetupReport report = runner->Run(address.value(), deadline);

  const Recommendation& rec = report.recommended;
  const int status =
      rec.incoming && rec.incoming->verified && rec.outgoing && rec.outgoing->verified
          ? kExitOk
          : kExitFailed;

  if (auto path = args.Get("save-report")) {
    Status saved = WriteOutputFile(*path, SetupToJsonText(report));
    if (!saved.ok()) {
      std::cerr << "mailscout setup: " << saved.error().message << "\n";
      FinishProcess(kExitFailed);
    }
  }
  Result<ExportedFile> rendered = RenderSetupReport(report, format);
  if (!rendered.ok()) {
    // No client file without working settings: show why instead.
    std::cerr << SetupText(report) << "\n\nmailscout setup: " << rendered.error().message << "\n";
    FinishProcess(kExitFailed);
  }
  for (const auto& note : rendered->notes) std::cerr << "note: " << note << "\n";
  if (auto path = args.Get("output")) {
    Status written = WriteOutputFile(*path, rendered->text, OutputFileMode(format));
    if (!written.ok()) {
      std::cerr << "mailscout setup: " << written.error().message << "\n";
      FinishProcess(kExitFailed);
    }
    std::cerr << "Wrote " << format << " output for " << report.discovery.email << " to " << *path
              << "\n";
  } else {
    std::cout << rendered->text;
  }
  FinishProcess(status);
}

}  // namespace

Command MakeSetupCommand() {
  Command command;
  command.name = "setup";
  command.summary = "find, verify and recommend the mail settings for an address; export them";
  command.usage =
      "mailscout setup EMAIL [--format FORMAT] [-o FILE] [--save-report FILE] [--user NAME]\n"
      "                      [--prefer imap|pop3] [--allow-plaintext] [--timeout SECONDS] "
      "[options]";
  command.options = Options();
  command.details =
      "Discovers every candidate server (like 'mailscout discover'), then logs in to\n"
      "each one in parallel with every security type its host offers, and recommends\n"
      "the best incoming and outgoing settings, best first:\n"
      "  a verified login; a valid certificate; encrypted over plain (plain only\n"
      "  with --allow-plaintext); IMAP over POP3 (unless --prefer pop3); implicit TLS\n"
      "  over STARTTLS (RFC 8314); a trusted source over a guess; for SMTP, port\n"
      "  465/587 over 25.\n"
      "Usernames: the source's form first; after a rejected login, the full address\n"
      "and the local part, each at most once per server. It stops as soon as nothing\n"
      "left could beat what is verified.\n\n"
      "Without a password every server is checked up to the login, and the card says\n"
      "so. The password comes from MAILSCOUT_PASSWORD, --password-file,\n"
      "--password-stdin or a prompt; never from the command line, and it is never\n"
      "written anywhere.\n\n"
      "Exit status 0 when a verified incoming and a verified outgoing server were\n"
      "found, 1 otherwise (nothing works, or the password was rejected).\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
