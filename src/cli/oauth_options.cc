#include "cli/oauth_options.h"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "discover/client_config.h"
#include "net/http_client.h"
#include "oauth/token_cache.h"

namespace mailscout {

namespace {

Error Usage(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

// Space-separated scopes, each once, in first-seen order.
std::string JoinScopes(const std::vector<std::string>& lists) {
  std::vector<std::string> seen;
  for (const std::string& list : lists) {
    std::istringstream words(list);
    std::string w;
    while (words >> w) {
      if (std::find(seen.begin(), seen.end(), w) == seen.end()) seen.push_back(w);
    }
  }
  std::string out;
  for (const std::string& w : seen) out += (out.empty() ? "" : " ") + w;
  return out;
}

void Say(const std::string& line) { std::cerr << line << std::endl; }

}  // namespace

std::vector<OptionSpec> OAuthOptionSpecs() {
  return {
      {"oauth", 0, "", "sign in with OAuth2 (device code or browser) and log in with the token"},
      {"oauth-client-id", 0, "ID",
       "your organisation's registered OAuth client (or MAILSCOUT_OAUTH_CLIENT_ID)"},
      {"oauth-issuer", 0, "URL", "authorization server to use (RFC 8414 metadata)"},
      {"oauth-scope", 0, "SCOPE", "scope to ask for (repeatable; needed with --oauth-issuer)",
       /*repeatable=*/true},
      {"oauth-flow", 0, "FLOW", "device or loopback (default: what the provider allows)"},
      {"oauth-cache", 0, "FILE", "keep the refresh token in FILE (created 0600) for next time"},
      {"oauth-timeout", 0, "SECONDS", "time to finish the sign-in (default 300)"},
  };
}

Result<OAuthCliConfig> OAuthConfigFromArgs(const ParsedArgs& args) {
  OAuthCliConfig config;
  config.enabled = args.Has("oauth");
  const bool any = args.Has("oauth-client-id") || args.Has("oauth-issuer") ||
                   args.Has("oauth-scope") || args.Has("oauth-flow") || args.Has("oauth-cache") ||
                   args.Has("oauth-timeout");
  if (!config.enabled) {
    if (any) return Usage("the --oauth-* options need --oauth");
    return config;
  }
  config.client_id = args.GetOr("oauth-client-id", "");
  if (config.client_id.empty()) {
    if (const char* id = std::getenv("MAILSCOUT_OAUTH_CLIENT_ID")) config.client_id = id;
  }
  if (config.client_id.empty()) {
    return Usage(
        "--oauth needs the client id of an OAuth application your organisation registered "
        "with the provider: --oauth-client-id ID or MAILSCOUT_OAUTH_CLIENT_ID (mailscout ships "
        "no client id of its own)");
  }
  if (config.client_id.size() > 512) return Usage("the OAuth client id is too long");
  config.issuer = args.GetOr("oauth-issuer", "");
  if (!config.issuer.empty() && config.issuer.rfind("https://", 0) != 0) {
    return Usage("--oauth-issuer must be an https URL");
  }
  config.scopes = args.GetAll("oauth-scope");
  if (!config.issuer.empty() && config.scopes.empty()) {
    return Usage("--oauth-issuer needs --oauth-scope (the scopes your mail server expects)");
  }
  if (std::optional<std::string> flow = args.Get("oauth-flow")) {
    if (*flow == "device") {
      config.flow = OAuthFlow::kDevice;
    } else if (*flow == "loopback") {
      config.flow = OAuthFlow::kLoopback;
    } else {
      return Usage("--oauth-flow must be device or loopback");
    }
  }
  config.cache_path = args.GetOr("oauth-cache", "");
  if (std::optional<std::string> timeout = args.Get("oauth-timeout")) {
    std::optional<long> ms = ParseSecondsToMs(*timeout, 3600);
    if (!ms) return Usage("--oauth-timeout must be a number of seconds (up to 3600)");
    config.timeout = Millis(*ms);
  }
  return config;
}

Result<OAuthToken> ObtainOAuthToken(const OAuthCliConfig& config, const OAuthFacts* facts,
                                    const std::vector<Protocol>& protocols, const std::string& user,
                                    HttpClient& http) {
  const Deadline deadline = Deadline::After(config.timeout);
  OAuthClient client(http, Say);
  OAuthSignIn request;
  request.client_id = config.client_id;
  request.login_hint = user.find('@') != std::string::npos ? user : std::string();
  std::string device_flow;  // the provider's word on the device flow
  if (!config.issuer.empty()) {
    Result<OAuthEndpoints> endpoints = client.Discover(config.issuer, deadline);
    if (!endpoints.ok()) return endpoints.error();
    request.endpoints = endpoints.value();
  } else if (facts != nullptr && !facts->token_url.empty()) {
    request.endpoints.issuer = facts->issuer.empty() ? facts->token_url : facts->issuer;
    request.endpoints.authorization = facts->auth_url;
    request.endpoints.token = facts->token_url;
    request.endpoints.device = facts->device_url;
    device_flow = facts->device_flow;
  } else {
    return Usage("the provider database knows no OAuth authorization server for " +
                 (user.empty() ? std::string("this account") : user) +
                 ": name it with --oauth-issuer URL and --oauth-scope SCOPE");
  }
  if (!config.scopes.empty()) {
    request.scope = JoinScopes(config.scopes);
  } else if (facts != nullptr) {
    std::vector<std::string> lists;
    lists.reserve(protocols.size());
    for (Protocol p : protocols) lists.push_back(facts->ScopeFor(p));
    request.scope = JoinScopes(lists);
  }
  if (request.scope.empty()) {
    return Usage("no OAuth scope is known for this provider: name it with --oauth-scope SCOPE");
  }
  if (config.flow) {
    request.flow = *config.flow;
  } else if (device_flow == "refused" || request.endpoints.device.empty()) {
    request.flow = OAuthFlow::kLoopback;
  } else {
    request.flow = OAuthFlow::kDevice;
  }
  if (request.flow == OAuthFlow::kDevice && device_flow == "refused" && config.flow) {
    Say("oauth: note: this provider does not allow the device flow for mail; it will probably "
        "refuse it (--oauth-flow loopback works)");
  }

  std::optional<TokenCache> cache;
  const TokenCacheKey key{request.endpoints.token, request.client_id, user, request.scope};
  if (!config.cache_path.empty()) {
    std::string warning;
    Result<TokenCache> opened = TokenCache::Open(config.cache_path, &warning);
    if (!opened.ok()) return opened.error();
    if (!warning.empty()) Say("oauth: warning: " + warning);
    cache = std::move(opened.value());
    if (std::optional<std::string> refresh = cache->Find(key)) {
      Result<OAuthToken> token = client.Refresh(request, *refresh, deadline);
      if (token.ok()) {
        Say("oauth: signed in with the refresh token from " + config.cache_path);
        if (Status stored = cache->Store(key, token->refresh_token); !stored.ok()) {
          return stored.error();
        }
        return token;
      }
      if (token.error().kind != ErrorKind::kAuth) return token.error();
      Say("oauth: the cached refresh token was refused (" + token.error().message +
          "); signing in again");
    }
  }
  Result<OAuthToken> token = client.SignIn(request, deadline);
  if (!token.ok()) return token.error();
  Say("oauth: signed in");
  if (cache) {
    if (Status stored = cache->Store(key, token->refresh_token); !stored.ok()) {
      return stored.error();
    }
  }
  return token;
}

}  // namespace mailscout
