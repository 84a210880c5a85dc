// `mailscout discover EMAIL`: every candidate server for an address from all
// sources at once (discover/discovery.h), printed as text or JSON.
#include <unistd.h>

#include <iostream>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/discovery_options.h"
#include "cli/exit_status.h"
#include "core/email_address.h"
#include "discover/discovery.h"
#include "discover/provider_db.h"
#include "engine/stack.h"
#include "report/discovery_json.h"
#include "report/discovery_text.h"

namespace mailscout {
namespace {

int UsageError(const std::string& message) { return CommandUsageError("discover", message); }

int Run(const ParsedArgs& args) {
  if (args.positionals().size() != 1) {
    return UsageError(args.positionals().empty() ? "which address? (mailscout discover EMAIL)"
                                                 : "give exactly one address");
  }
  const std::string format = args.GetOr("format", "text");
  if (format != "text" && format != "json") {
    return UsageError("--format must be text or json, not '" + format + "'");
  }
  Result<EmailAddress> address = EmailAddress::Parse(args.positionals()[0]);
  if (!address.ok()) return UsageError(address.error().message);
  Result<DiscoveryCliConfig> config = DiscoveryConfigFromArgs(args);
  if (!config.ok()) return UsageError(config.error().message);
  // Offline, nothing is fetched or probed: no TLS to set up.
  config->stack.tls_needed = !config->stack.discovery.offline;
  Result<std::unique_ptr<EngineStack>> stack = EngineStack::Create(config->stack);
  if (!stack.ok()) return UsageError(stack.error().message);

  const Deadline deadline = Deadline::AfterMs(config->timeout_ms);
  ProgressFn progress;
  const bool show_progress = isatty(STDERR_FILENO) == 1;
  if (show_progress) {
    progress = [](const std::vector<SourceStatus>& sources) { ShowDiscoveryProgress(sources); };
  }
  DiscoveryResult result = (*stack)->discovery().Run(address.value(), deadline, progress);
  if (show_progress) ClearDiscoveryProgress();
  AddProviderWarnings((*stack)->providers(), &result);
  if (format == "json") {
    std::cout << DiscoveryToJsonText(result);
  } else {
    std::cout << DiscoveryToText(result);
  }
  // Ends the process once the answer is out: sources that were not waited
  // for would otherwise hold the exit until their own deadlines pass.
  FinishProcess(result.candidates.empty() ? kExitFailed : kExitOk);
}

}  // namespace

Command MakeDiscoverCommand() {
  Command command;
  command.name = "discover";
  command.summary = "find every candidate IMAP, POP3 and SMTP server for an address";
  command.usage = "mailscout discover EMAIL [options]";
  command.options = {{"format", 0, "FORMAT", "text (default) or json"}};
  for (auto& spec : DiscoveryOptionSpecs()) command.options.push_back(std::move(spec));
  command.details =
      "Asks every source at once: the bundled provider database (and --providers),\n"
      "the Thunderbird ISPDB, the provider's autoconfig (https, then http), the MX\n"
      "host's provider, DNS SRV (RFC 6186/8314), Outlook Autodiscover, and guessed\n"
      "host names confirmed by a probe (connect and TLS/STARTTLS only, no login).\n"
      "It stops waiting once the best-ranked sources have answered for incoming\n"
      "and outgoing mail (--all-sources waits for all).\n\n"
      "Each server says where it came from and how far to trust it:\n"
      "  authenticated    every hop was https or bundled data\n"
      "  unauthenticated  a hop was plain DNS or http (hosts outside the address's\n"
      "                   domain get a warning)\n"
      "  guessed          a guessed name that answered a probe\n\n"
      "No password is needed or sent. Exit status 0 when any server was found.\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
