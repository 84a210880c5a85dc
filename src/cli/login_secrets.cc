#include "cli/login_secrets.h"

#include <openssl/crypto.h>

#include <cstdlib>
#include <iostream>

#include "cli/password.h"
#include "discover/client_config.h"
#include "discover/merge.h"
#include "discover/provider_db.h"
#include "engine/stack.h"

namespace mailscout {

namespace {

constexpr size_t kMaxTokenLength = 16 * 1024;

Error Usage(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

}  // namespace

void LoginSecrets::Wipe() {
  for (std::optional<std::string>* secret : {&password, &oauth_token}) {
    if (*secret) OPENSSL_cleanse(secret->value().data(), secret->value().size());
    secret->reset();
  }
}

Result<std::optional<std::string>> TokenFromEnvironment(bool oauth_flow) {
  const char* token = std::getenv("MAILSCOUT_OAUTH_TOKEN");
  if (token == nullptr) return std::optional<std::string>();
  std::string value = token;
  ::unsetenv("MAILSCOUT_OAUTH_TOKEN");
  if (value.size() > kMaxTokenLength) return Usage("MAILSCOUT_OAUTH_TOKEN is too long");
  if (value.empty()) return std::optional<std::string>();
  if (oauth_flow) return Usage("use either --oauth or MAILSCOUT_OAUTH_TOKEN, not both");
  return std::optional<std::string>(std::move(value));
}

Result<LoginSecrets> SignInWithOAuth(const OAuthCliConfig& oauth, const ProviderEntry* provider,
                                     const std::vector<Protocol>& protocols,
                                     const std::string& user, HttpClient& http) {
  const OAuthFacts* facts =
      provider != nullptr && provider->config.has_oauth2 ? &provider->config.oauth : nullptr;
  Result<OAuthToken> token = ObtainOAuthToken(oauth, facts, protocols, user, http);
  if (!token.ok()) return token.error();
  LoginSecrets secrets;
  secrets.oauth_token = std::move(token->access_token);
  secrets.oauth_token_expiry = token->expires_at;
  OPENSSL_cleanse(token->refresh_token.data(), token->refresh_token.size());
  ProtectSecrets();
  return secrets;
}

Result<LoginSecrets> ReadLoginSecrets(const ParsedArgs& args, const OAuthCliConfig& oauth,
                                      const EmailAddress& address,
                                      const std::optional<std::string>& username,
                                      EngineStack& stack, const std::string& command) {
  LoginSecrets secrets;
  const ProviderEntry* provider = stack.providers().Find(address.ascii_domain());
  Result<std::optional<std::string>> token = TokenFromEnvironment(oauth.enabled);
  if (!token.ok()) return token.error();
  if (token.value()) {
    secrets.oauth_token_expiry = JwtExpiry(*token.value());
    secrets.oauth_token = std::move(token.value());
    ProtectSecrets();
    return secrets;
  }
  if (oauth.enabled) {
    Result<LoginSecrets> signed_in =
        SignInWithOAuth(oauth, provider, {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp},
                        username.value_or(address.display()), stack.http());
    if (!signed_in.ok() && signed_in.error().kind != ErrorKind::kUsage) {
      Error e = signed_in.error();
      e.message = "OAuth sign-in failed: " + e.message;
      return e;
    }
    return signed_in;
  }
  Result<std::optional<std::string>> password = ReadPassword(args, address.display());
  if (!password.ok()) return Usage(password.error().message);
  secrets.password = password.value();
  if (!secrets.password) return secrets;
  ProtectSecrets();
  if (provider == nullptr) return secrets;
  const ProviderInfo info = ToProviderInfo(provider->config, address);
  std::optional<std::string> warning = LoginPolicyWarning(info, address);
  if (!warning) return secrets;
  if (info.login_policy == "oauth2-only" && !args.Has("try-password")) {
    std::cerr << "mailscout " << command << ": " << *warning
              << " The password is not sent: it would be refused, and refusals count towards a "
                 "lock-out. Verify with --oauth, or send it anyway with --try-password.\n";
    OPENSSL_cleanse(secrets.password->data(), secrets.password->size());
    secrets.password.reset();
  } else {
    std::cerr << "mailscout " << command << ": note: " << *warning << "\n";
  }
  return secrets;
}

}  // namespace mailscout
