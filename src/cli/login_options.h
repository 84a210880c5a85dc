// The options of the login policy, shared by `setup` and `test`:
//   --auth-timeout SECONDS     how long to wait for the answer to a login
//                              (default 20: servers delay failures on purpose)
//   --max-failed-logins N      failed logins per server in one run (default 2);
//                              N+1 within 15 minutes, earlier runs included
//   --no-login-ledger          don't remember failed logins across runs
// LoginConfigFromArgs() validates them (errors are kUsage: exit status 2).
#ifndef MAILSCOUT_CLI_LOGIN_OPTIONS_H_
#define MAILSCOUT_CLI_LOGIN_OPTIONS_H_

#include <string>
#include <vector>

#include "cli/args.h"
#include "core/deadline.h"
#include "core/result.h"
#include "engine/login_policy.h"

namespace mailscout {

inline constexpr int64_t kDefaultAuthTimeoutMs = 20000;

std::vector<OptionSpec> LoginOptionSpecs();

struct LoginCliConfig {
  Millis auth_timeout{kDefaultAuthTimeoutMs};
  LoginBudget budget;
  std::string ledger_path;  // empty: in memory only
};

Result<LoginCliConfig> LoginConfigFromArgs(const ParsedArgs& args);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_LOGIN_OPTIONS_H_
