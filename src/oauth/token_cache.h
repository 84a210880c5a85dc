// TokenCache: the refresh tokens `--oauth-cache FILE` keeps between runs.
//
// One JSON file, created 0600 (and written through a 0600 temporary file
// renamed into place, so it is never readable by others, not even for a
// moment), keyed by token endpoint, client id, user and scope. Only refresh
// tokens are kept: access tokens live minutes and stay in memory. Nothing
// is written unless the user named the file. Not thread-safe.
#ifndef MAILSCOUT_OAUTH_TOKEN_CACHE_H_
#define MAILSCOUT_OAUTH_TOKEN_CACHE_H_

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace mailscout {

struct TokenCacheKey {
  std::string token_endpoint;
  std::string client_id;
  std::string user;
  std::string scope;
};

class TokenCache {
 public:
  // Reads path; a missing file is an empty cache. Errors (kUsage): a file
  // that is not a mailscout token cache, larger than 1 MiB, or unreadable.
  // A file readable by group or others gets a warning in *warning.
  static Result<TokenCache> Open(const std::string& path, std::string* warning);

  std::optional<std::string> Find(const TokenCacheKey& key) const;
  // Stores (or with an empty token, removes) the refresh token for key and
  // writes the file. Errors: kUsage when it cannot be written.
  Status Store(const TokenCacheKey& key, const std::string& refresh_token);

 private:
  struct Entry {
    TokenCacheKey key;
    std::string refresh_token;
  };
  std::string path_;
  std::vector<Entry> entries_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_OAUTH_TOKEN_CACHE_H_
