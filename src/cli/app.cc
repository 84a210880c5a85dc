#include "cli/app.h"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/exit_status.h"

namespace mailscout {
namespace {

std::vector<Command> Commands() {
  std::vector<Command> commands;
  commands.push_back(MakeSetupCommand());
  commands.push_back(MakeDiscoverCommand());
  commands.push_back(MakeTestCommand());
  commands.push_back(MakeExportCommand());
  commands.push_back(MakeServeCommand());
  commands.push_back(MakeAuditCommand());
  return commands;
}

constexpr const char* kExitHelp =
    "Exit status:\n"
    "  0  success: every requested check passed, or something was found\n"
    "  1  a check failed, or nothing usable was found\n"
    "  2  bad usage or bad input\n";

void PrintMainHelp(std::ostream& out, const std::vector<Command>& commands) {
  out << "mailscout " MAILSCOUT_VERSION
         " - find and prove the right mail settings for an email address\n\n"
         "Usage: mailscout COMMAND [options]\n"
         "       mailscout COMMAND --help\n\n"
         "Commands:\n";
  for (const auto& command : commands) {
    std::string name = "  " + command.name;
    out << name << std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') << command.summary
        << "\n";
  }
  out << "\nPasswords are never taken from the command line: use MAILSCOUT_PASSWORD,\n"
         "--password-file FILE, --password-stdin, or type it at the prompt.\n\n"
      << kExitHelp;
}

void PrintCommandHelp(std::ostream& out, const Command& command) {
  out << "Usage: " << command.usage << "\n\n"
      << command.summary << "\n\nOptions:\n"
      << FormatOptionHelp(command.options) << "  -h, --help                  show this help\n";
  if (!command.details.empty()) out << "\n" << command.details;
  out << "\n" << kExitHelp;
}

int Dispatch(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<Command> commands = Commands();
  if (args.empty()) {
    PrintMainHelp(std::cerr, commands);
    return kExitUsage;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    if (args.size() > 1) {
      for (const auto& command : commands) {
        if (command.name == args[1]) {
          PrintCommandHelp(std::cout, command);
          return kExitOk;
        }
      }
    }
    PrintMainHelp(std::cout, commands);
    return kExitOk;
  }
  if (first == "--version" || first == "-V" || first == "version") {
    std::cout << "mailscout " MAILSCOUT_VERSION "\n";
    return kExitOk;
  }
  for (const auto& command : commands) {
    if (command.name != first) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& arg : rest) {
      if (arg == "--") break;
      if (arg == "--help" || arg == "-h") {
        PrintCommandHelp(std::cout, command);
        return kExitOk;
      }
    }
    Result<ParsedArgs> parsed = ParseArgs(command.options, rest);
    if (!parsed.ok()) {
      std::cerr << "mailscout " << command.name << ": " << parsed.error().message
                << "\nTry 'mailscout " << command.name << " --help'.\n";
      return kExitUsage;
    }
    return command.run(parsed.value());
  }
  std::cerr << "mailscout: unknown command '" << first << "'\nTry 'mailscout --help'.\n";
  return kExitUsage;
}

}  // namespace

int RunMain(int argc, char** argv) {
  try {
    return Dispatch(argc, argv);
  } catch (const std::exception& e) {
    // A bug, not a finding: say so plainly and use the bad-input status
    // rather than crashing.
    std::cerr << "mailscout: internal error: " << e.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace mailscout
