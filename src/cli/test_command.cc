// Placeholder until the test command lands; replaced by its owner.
#include <iostream>

#include "cli/command.h"
#include "cli/exit_status.h"

namespace mailscout {

Command MakeTestCommand() {
  Command command;
  command.name = "test";
  command.summary = "(not built yet)";
  command.usage = "mailscout test";
  command.run = [](const ParsedArgs&) {
    std::cerr << "mailscout test: not built yet\n";
    return kExitUsage;
  };
  return command;
}

}  // namespace mailscout
