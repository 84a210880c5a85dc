#include "cli/login_options.h"

namespace mailscout {

std::vector<OptionSpec> LoginOptionSpecs() {
  return {
      {"auth-timeout", 0, "SECONDS",
       "wait this long for the answer to a login (default 20: servers delay failed logins)"},
      {"max-failed-logins", 0, "N",
       "at most N failed logins per server in one run (default 2), N+1 in 15 minutes "
       "counting earlier runs"},
      {"no-login-ledger", 0, "", "do not remember failed logins across runs"},
  };
}

Result<LoginCliConfig> LoginConfigFromArgs(const ParsedArgs& args) {
  LoginCliConfig config;
  if (auto text = args.Get("auth-timeout")) {
    std::optional<long> ms = ParseSecondsToMs(*text, 300);
    if (!ms) {
      return Error::Make(ErrorKind::kUsage,
                         "--auth-timeout must be a number of seconds greater than 0 (at most "
                         "300)");
    }
    config.auth_timeout = Millis(*ms);
  }
  if (auto text = args.Get("max-failed-logins")) {
    std::optional<long> n = ParseInt(*text, 0, 100);
    if (!n)
      return Error::Make(ErrorKind::kUsage, "--max-failed-logins must be a number from 0 to 100");
    config.budget.per_run = static_cast<int>(*n);
    config.budget.in_all = static_cast<int>(*n) + 1;
  }
  if (!args.Has("no-login-ledger")) config.ledger_path = LoginLedger::DefaultPath();
  return config;
}

}  // namespace mailscout
