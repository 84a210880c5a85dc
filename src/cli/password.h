// Where the password comes from: never argv.
//   MAILSCOUT_PASSWORD  environment (removed from the environment once read)
//   --password-file F   first line of F
//   --password-stdin    first line of standard input
//   a no-echo prompt    when standard input is a terminal and none of the above
// The password is kept only in memory and never printed.
#ifndef MAILSCOUT_CLI_PASSWORD_H_
#define MAILSCOUT_CLI_PASSWORD_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/result.h"

namespace mailscout {

// The options every command that logs in accepts.
std::vector<OptionSpec> PasswordOptions();

// Returns the password, nullopt when none was given (and no prompt was
// possible or --no-prompt was set), or an Error for an unreadable file.
// `prompt_for` names the account in the prompt.
Result<std::optional<std::string>> ReadPassword(const ParsedArgs& args,
                                                const std::string& prompt_for);

// Once a secret is in memory: no core dumps, and the process is not
// dumpable (other processes of the same user cannot ptrace it or read
// /proc/PID/mem).
void ProtectSecrets();

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_PASSWORD_H_
