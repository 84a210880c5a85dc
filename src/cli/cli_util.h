// Helpers every subcommand shares: the usage-error message and the way a
// command ends the process once its answer is out.
//
// CommandUsageError writes to standard error and returns kExitUsage; FinishProcess never
// returns. Both may be called from any thread (std::cerr is synchronised
// per call; FinishProcess ends every thread).
#ifndef MAILSCOUT_CLI_CLI_UTIL_H_
#define MAILSCOUT_CLI_CLI_UTIL_H_

#include <string>
#include <string_view>

namespace mailscout {

// Prints "mailscout <command>: <message>" and "Try 'mailscout <command>
// --help'." to standard error; returns kExitUsage (2).
int CommandUsageError(std::string_view command, const std::string& message);

// Flushes standard output and error (and every C stream) and ends the
// process with `status` right away, without running destructors: checks and
// discovery sources that were cancelled or not waited for would otherwise
// hold the exit for up to a poll interval or their own deadlines.
[[noreturn]] void FinishProcess(int status);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_CLI_UTIL_H_
