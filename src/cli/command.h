// One subcommand of the mailscout binary: its name, help and handler. The
// table of all commands lives in app.cc (STYLE.md habit 14), so --help cannot
// drift from what runs.
#ifndef MAILSCOUT_CLI_COMMAND_H_
#define MAILSCOUT_CLI_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include "cli/args.h"

namespace mailscout {

struct Command {
  std::string name;
  std::string summary;  // one line for the command list
  std::string usage;    // "mailscout test --protocol P --host H [options]"
  std::string details;  // paragraphs printed after the options in `CMD --help`
  std::vector<OptionSpec> options;
  // Runs the command with parsed options; returns an ExitStatus value.
  // Writes results to stdout and diagnostics to stderr.
  std::function<int(const ParsedArgs& args)> run;
};

// Defined by each command's own file.
Command MakeTestCommand();      // cli/test_command.cc
Command MakeDiscoverCommand();  // cli/discover_command.cc
Command MakeSetupCommand();     // cli/setup_command.cc
Command MakeExportCommand();    // cli/export_command.cc
Command MakeServeCommand();     // cli/serve_command.cc
Command MakeAuditCommand();     // cli/audit_command.cc

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_COMMAND_H_
