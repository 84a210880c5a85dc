// The OAuth options shared by `test` and `setup`:
//   --oauth                  sign in with OAuth2 and log in with the token
//   --oauth-client-id ID     the admin's registered public client
//                            (or MAILSCOUT_OAUTH_CLIENT_ID; mailscout ships none)
//   --oauth-issuer URL       an authorization server the database does not
//                            know (RFC 8414 / OpenID metadata)
//   --oauth-scope SCOPE      repeatable; required with --oauth-issuer
//   --oauth-flow device|loopback   overrides the provider's preferred flow
//   --oauth-cache FILE       keep the refresh token there (created 0600)
//   --oauth-timeout SECONDS  how long the person has to sign in (default 300)
// OAuthConfigFromArgs() validates them (errors are kUsage: exit status 2);
// ObtainOAuthToken() runs the sign-in, printing the person's steps on stderr.
#ifndef MAILSCOUT_CLI_OAUTH_OPTIONS_H_
#define MAILSCOUT_CLI_OAUTH_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/deadline.h"
#include "core/result.h"
#include "core/types.h"
#include "oauth/oauth.h"

namespace mailscout {

class HttpClient;
struct OAuthFacts;

std::vector<OptionSpec> OAuthOptionSpecs();

struct OAuthCliConfig {
  bool enabled = false;  // --oauth
  std::string client_id;
  std::string issuer;
  std::vector<std::string> scopes;
  std::optional<OAuthFlow> flow;
  std::string cache_path;
  Millis timeout{300000};
};

Result<OAuthCliConfig> OAuthConfigFromArgs(const ParsedArgs& args);

// Signs in for user and the given protocols: endpoints from --oauth-issuer's
// metadata, else from the provider's <oAuth2> facts (null: none known);
// scopes from --oauth-scope, else the facts' scopes for those protocols.
// A refresh token from --oauth-cache is tried first. Errors: kUsage (what is
// missing, e.g. no client id or no endpoints), else OAuthClient's errors.
Result<OAuthToken> ObtainOAuthToken(const OAuthCliConfig& config, const OAuthFacts* facts,
                                    const std::vector<Protocol>& protocols, const std::string& user,
                                    HttpClient& http);

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_OAUTH_OPTIONS_H_
