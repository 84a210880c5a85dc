// Placeholder until the export command lands; replaced by its owner.
#include <iostream>

#include "cli/command.h"
#include "cli/exit_status.h"

namespace mailscout {

Command MakeExportCommand() {
  Command command;
  command.name = "export";
  command.summary = "(not built yet)";
  command.usage = "mailscout export";
  command.run = [](const ParsedArgs&) {
    std::cerr << "mailscout export: not built yet\n";
    return kExitUsage;
  };
  return command;
}

}  // namespace mailscout
