// `mailscout setup EMAIL`: discover, verify every candidate in parallel,
// recommend the best incoming and outgoing settings with reasons, and print
// the helpdesk card, the JSON report or a client file
// (engine/setup_engine.h does the work on the objects engine/stack.h builds;
// this file reads the command line and writes the outputs).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/discovery_options.h"
#include "cli/exit_status.h"
#include "cli/login_options.h"
#include "cli/login_secrets.h"
#include "cli/oauth_options.h"
#include "cli/password.h"
#include "core/email_address.h"
#include "engine/setup_engine.h"
#include "engine/stack.h"
#include "export/render.h"
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
      {"try-password", 0, "",
       "send the password even where the provider accepts only OAuth2 (it will be refused)"},
  };
  for (OptionSpec& spec : DiscoveryOptionSpecs()) {
    if (spec.name == "timeout") spec.help = "limit for the whole setup (default 30)";
    options.push_back(std::move(spec));
  }
  for (OptionSpec& spec : LoginOptionSpecs()) options.push_back(std::move(spec));
  for (OptionSpec& spec : OAuthOptionSpecs()) options.push_back(std::move(spec));
  for (OptionSpec& spec : PasswordOptions()) options.push_back(std::move(spec));
  return options;
}

// Everything the command line says, checked.
struct SetupArgs {
  std::optional<EmailAddress> address;
  std::string format;
  ExportOptions export_options;  // how a client file is drawn (android-qr)
  SetupOptions options;
  DiscoveryCliConfig discovery;
  OAuthCliConfig oauth;
  int64_t total_ms = kDefaultSetupTimeoutMs;
};

// The parsed and checked options, or a usage error's message.
Result<SetupArgs> ParseSetupArgs(const ParsedArgs& args) {
  auto usage = [](std::string message) { return Error::Make(ErrorKind::kUsage, message); };
  if (args.positionals().size() != 1) {
    return usage(args.positionals().empty() ? "which address? (mailscout setup EMAIL)"
                                            : "give exactly one address");
  }
  SetupArgs parsed;
  parsed.format = args.GetOr("format", "text");
  if (!IsOutputFormat(parsed.format)) {
    return usage("unknown --format '" + parsed.format + "' (one of " + OutputFormatList() + ")");
  }
  Result<EmailAddress> address = EmailAddress::Parse(args.positionals()[0]);
  if (!address.ok()) return usage(address.error().message);
  parsed.address = address.value();
  Status fits = CheckOutputAddress(parsed.format, parsed.address->display());
  if (!fits.ok()) return fits.error();
  Result<ExportOptions> export_options =
      OutputOptions(parsed.format, args.Get("output"), isatty(STDOUT_FILENO) == 1);
  if (!export_options.ok()) return export_options.error();
  parsed.export_options = export_options.value();

  SetupOptions& options = parsed.options;
  const std::string prefer = args.GetOr("prefer", "imap");
  if (prefer != "imap" && prefer != "pop3") {
    return usage("--prefer must be imap or pop3, not '" + prefer + "'");
  }
  options.rank.prefer_pop3 = prefer == "pop3";
  options.rank.allow_plaintext = args.Has("allow-plaintext");
  if (auto user = args.Get("user")) {
    if (user->empty()) return usage("--user needs a name");
    options.username = *user;
  }
  options.display_name = args.GetOr("name", "");
  options.transcript = args.Has("transcript");
  options.check_all = args.Has("check-all");
  int64_t phase_ms = kDefaultPhaseTimeoutMs;
  if (auto phase = args.Get("phase-timeout")) {
    std::optional<long> ms = ParseSecondsToMs(*phase, 120);
    if (!ms) return usage("--phase-timeout must be a number of seconds (up to 120)");
    phase_ms = *ms;
  }
  Result<LoginCliConfig> login = LoginConfigFromArgs(args);
  if (!login.ok()) return login.error();
  options.timeouts = PhaseTimeouts::All(Millis(phase_ms));
  options.timeouts.auth = login->auth_timeout;

  Result<OAuthCliConfig> oauth = OAuthConfigFromArgs(args);
  if (!oauth.ok()) return oauth.error();
  parsed.oauth = oauth.value();

  Result<DiscoveryCliConfig> config = DiscoveryConfigFromArgs(args);
  if (!config.ok()) return config.error();
  parsed.discovery = config.value();
  parsed.discovery.stack.insecure_logins = args.Has("insecure-tls");
  parsed.discovery.stack.budget = login->budget;
  parsed.discovery.stack.ledger_path = login->ledger_path;
  // A guess probe and a check of the same endpoint share one dial (the
  // endpoint memory), so they share one budget: a tarpit then costs the
  // --phase-timeout once, whoever dialled it first.
  if (!args.Has("probe-timeout")) parsed.discovery.stack.discovery.probe_timeout_ms = phase_ms;
  if (args.Has("timeout")) parsed.total_ms = parsed.discovery.timeout_ms;
  return parsed;
}

// Writes the report file, the client file or the card; returns the exit
// status.
int WriteOutputs(const ParsedArgs& args, const SetupReport& report, const std::string& format,
                 const ExportOptions& export_options) {
  const Recommendation& rec = report.recommended;
  const int status =
      rec.incoming && rec.incoming->verified && rec.outgoing && rec.outgoing->verified
          ? kExitOk
          : kExitFailed;
  if (auto path = args.Get("save-report")) {
    Status saved = WriteOutputFile(*path, SetupToJsonText(report));
    if (!saved.ok()) {
      std::cerr << "mailscout setup: " << saved.error().message << "\n";
      return kExitFailed;
    }
  }
  Result<ExportedFile> rendered = RenderSetupReport(report, format, export_options);
  if (!rendered.ok() && rendered.error().kind == ErrorKind::kUsage) {
    std::cerr << "mailscout setup: " << rendered.error().message << "\n";
    return kExitUsage;
  }
  if (!rendered.ok()) {
    // No client file without working settings: show why instead.
    std::cerr << SetupText(report) << "\n\nmailscout setup: " << rendered.error().message << "\n";
    return kExitFailed;
  }
  for (const auto& note : rendered->notes) std::cerr << "note: " << note << "\n";
  if (auto path = args.Get("output")) {
    Status written = WriteOutputFile(*path, rendered->text, OutputFileMode(format));
    if (!written.ok()) {
      std::cerr << "mailscout setup: " << written.error().message << "\n";
      return kExitFailed;
    }
    std::cerr << "Wrote " << format << " output for " << report.discovery.email << " to " << *path
              << "\n";
  } else {
    std::cout << rendered->text;
  }
  return status;
}

int Run(const ParsedArgs& args) {
  Result<SetupArgs> parsed = ParseSetupArgs(args);
  if (!parsed.ok()) return UsageError(parsed.error().message);
  SetupArgs& setup = parsed.value();
  // Not destroyed: FinishProcess() ends the process without waiting for the
  // checks it cancelled (see cli/cli_util.h).
  Result<std::unique_ptr<EngineStack>> created = EngineStack::Create(setup.discovery.stack);
  if (!created.ok()) return UsageError(created.error().message);
  EngineStack& stack = *created.value().release();

  Result<LoginSecrets> secrets =
      ReadLoginSecrets(args, setup.oauth, *setup.address, setup.options.username, stack, "setup");
  if (!secrets.ok()) {
    if (secrets.error().kind == ErrorKind::kUsage) return UsageError(secrets.error().message);
    std::cerr << "mailscout setup: " << secrets.error().message << "\n";
    FinishProcess(kExitFailed);
  }
  setup.options.password = secrets->password;
  setup.options.oauth_token = secrets->oauth_token;
  setup.options.oauth_token_expiry = secrets->oauth_token_expiry;
  secrets->Wipe();

  const bool show_progress = isatty(STDERR_FILENO) == 1;
  static std::mutex progress_mu;
  ProgressFn discovery_progress;
  std::function<void()> discovery_done;
  if (show_progress) {
    setup.options.progress = [](const std::string& line) {
      std::lock_guard<std::mutex> lock(progress_mu);
      std::cerr << "\r\033[K  " << line << "\n" << std::flush;
    };
    discovery_progress = [](const std::vector<SourceStatus>& sources) {
      std::lock_guard<std::mutex> lock(progress_mu);
      ShowDiscoveryProgress(sources);
    };
    discovery_done = [] {
      std::lock_guard<std::mutex> lock(progress_mu);
      ClearDiscoveryProgress();
    };
    if (!setup.options.password && !setup.options.oauth_token) {
      std::cerr << "No password given: checking every server up to the login.\n";
    }
  }
  const Deadline deadline = Deadline::AfterMs(setup.total_ms);
  const Deadline discovery_deadline =
      Deadline::Earliest(deadline, Deadline::AfterMs(setup.discovery.timeout_ms));
  DiscoverFn discover = stack.DiscoverFunction(discovery_progress, discovery_done);
  auto* engine = new SetupEngine(
      [discover, discovery_deadline](const EmailAddress& a, Deadline d, const CandidateSink& sink,
                                     const StopFlag& stop) {
        return discover(a, Deadline::Earliest(d, discovery_deadline), sink, stop);
      },
      stack.CheckFunction(), stack.policy(), setup.options);
  for (std::optional<std::string>* secret : {&setup.options.password, &setup.options.oauth_token}) {
    if (*secret) OPENSSL_cleanse(secret->value().data(), secret->value().size());
    secret->reset();
  }
  const SetupReport report = engine->Run(*setup.address, deadline);
  FinishProcess(WriteOutputs(args, report, setup.format, setup.export_options));
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
      "Logins never lock anyone out: one at a time per server; the source's username\n"
      "form first, then the full address and the local part, each at most once per\n"
      "server, and the form that worked reused on the server's other ports; at most\n"
      "2 failed logins per server in a run (3 in 15 minutes, earlier runs included;\n"
      "--max-failed-logins). When the best server rejected every username form, the\n"
      "password is wrong and setup says so at once. It stops as soon as nothing left\n"
      "could beat what is verified.\n\n"
      "Without a password every server is checked up to the login, and the card says\n"
      "so. The password comes from MAILSCOUT_PASSWORD, --password-file,\n"
      "--password-stdin or a prompt; never from the command line, and it is never\n"
      "written anywhere.\n\n"
      "Client files: --format android-qr draws a QR code for Thunderbird for Android\n"
      "on the terminal, or writes it with -o FILE.png / -o FILE.svg (android-json is\n"
      "its payload); mobileconfig is for iPhone, iPad and Mac Mail; docs/exports.md\n"
      "has every format. An address that is not ASCII cannot go into android-json or\n"
      "android-qr (exit status 2).\n\n"
      "Exit status 0 when a verified incoming and a verified outgoing server were\n"
      "found, 1 otherwise (nothing works, or the password was rejected).\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
