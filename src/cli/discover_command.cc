// Placeholder until the discover command lands; replaced by its owner.
#include <iostream>

#include "cli/command.h"
#include "cli/exit_status.h"

namespace mailscout {

Command MakeDiscoverCommand() {
  Command command;
  command.name = "discover";
  command.summary = "(not built yet)";
  command.usage = "mailscout discover";
  command.run = [](const ParsedArgs&) {
    std::cerr << "mailscout discover: not built yet\n";
    return kExitUsage;
  };
  return command;
}

}  // namespace mailscout
