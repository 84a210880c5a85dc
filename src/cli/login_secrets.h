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
#include <vector>

#include "cli/args.h"
#include "cli/oauth_options.h"
#include "core/email_address.h"
#include "core/result.h"
#include "core/types.h"

namespace mailscout {

class EngineStack;
class HttpClient;
struct ProviderEntry;

struct LoginSecrets {
  std::optional<std::string> password;
  std::optional<std::string> oauth_token;
  std::optional<int64_t> oauth_token_expiry;  // Unix seconds, if known

  // Overwrites and drops both secrets.
  void Wipe();
};

// MAILSCOUT_OAUTH_TOKEN (a token obtained elsewhere), read and removed from
// the environment; nullopt when unset or empty. Errors (kUsage): longer than
// 16 KiB, or set together with --oauth (oauth_flow).
Result<std::optional<std::string>> TokenFromEnvironment(bool oauth_flow);

// The --oauth sign-in for user and protocols, with the provider entry's
// <oAuth2> facts (provider may be null, or have none); keeps only the access
// token and its expiry. Errors: ObtainOAuthToken's.
Result<LoginSecrets> SignInWithOAuth(const OAuthCliConfig& oauth, const ProviderEntry* provider,
                                     const std::vector<Protocol>& protocols,
                                     const std::string& user, HttpClient& http);

// command names the command in messages ("setup"); username is --user's
// value if any. Errors: kUsage (exit status 2), or a failed OAuth sign-in
// (its own kind: exit status 1).
Result<LoginSecrets> ReadLoginSecrets(const ParsedArgs& args, const OAuthCliConfig& oauth,
                                      const EmailAddress& address,
                                      const std::optional<std::string>& username,
                                      EngineStack& stack, const std::string& command);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_LOGIN_SECRETS_H_
