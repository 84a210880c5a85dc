// What `setup` and `audit` log in with: MAILSCOUT_OAUTH_TOKEN, an --oauth
// sign-in, or the password (never from argv). Before any password is sent,
// the provider database's login policy for the address's domain is said on
// stderr; where it allows only OAuth2, the password is not sent at all
// unless --try-password.
#ifndef MAILSCOUT_CLI_LOGIN_SECRETS_H_
#define MAILSCOUT_CLI_LOGIN_SECRETS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "cli/args.h"
#include "cli/oauth_options.h"
#include "core/email_address.h"
#include "core/result.h"

namespace mailscout {

class EngineStack;

struct LoginSecrets {
  std::optional<std::string> password;
  std::optional<std::string> oauth_token;
  std::optional<int64_t> oauth_token_expiry;  // Unix seconds, if known

  // Overwrites and drops both secrets.
  void Wipe();
};

// command names the command in messages ("setup"); username is --user's
// value if any. Errors: kUsage (exit status 2), or a failed OAuth sign-in
// (its own kind: exit status 1).
Result<LoginSecrets> ReadLoginSecrets(const ParsedArgs& args, const OAuthCliConfig& oauth,
                                      const EmailAddress& address,
                                      const std::optional<std::string>& username,
                                      EngineStack& stack, const std::string& command);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_LOGIN_SECRETS_H_
