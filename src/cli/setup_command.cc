// Placeholder until the setup command lands; replaced by its owner.
#include <iostream>

#include "cli/command.h"
#include "cli/exit_status.h"

namespace mailscout {

Command MakeSetupCommand() {
  Command command;
  command.name = "setup";
  command.summary = "(not built yet)";
  command.usage = "mailscout setup";
  command.run = [](const ParsedArgs&) {
    std::cerr << "mailscout setup: not built yet\n";
    return kExitUsage;
  };
  return command;
}

}  // namespace mailscout
