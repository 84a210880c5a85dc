#include "cli/cli_util.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/exit_status.h"

namespace mailscout {

int CommandUsageError(std::string_view command, const std::string& message) {
  std::cerr << "mailscout " << command << ": " << message << "\nTry 'mailscout " << command
            << " --help'.\n";
  return kExitUsage;
}

void FinishProcess(int status) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(status);
}

}  // namespace mailscout
