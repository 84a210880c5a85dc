#include "oauth/token_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace mailscout {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/mailscout-cache-" +
         std::to_string(::getpid()) + "-" + name;
}

TEST(TokenCacheTest, StoresOnlyRefreshTokensInA0600File) {
  const std::string path = TempPath("a");
  ::unlink(path.c_str());
  std::string warning;
  Result<TokenCache> cache = TokenCache::Open(path, &warning);
  ASSERT_TRUE(cache.ok());
  const TokenCacheKey key{"https://auth.example/token", "client", "alice@example.com", "imap"};
  EXPECT_FALSE(cache->Find(key).has_value());
  ASSERT_TRUE(cache->Store(key, "R1").ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  Result<TokenCache> again = TokenCache::Open(path, &warning);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Find(key), "R1");
  EXPECT_FALSE(again->Find({key.token_endpoint, key.client_id, "bob@example.com", "imap"}));
  ASSERT_TRUE(again->Store(key, "").ok());
  EXPECT_FALSE(TokenCache::Open(path, &warning)->Find(key).has_value());
  EXPECT_TRUE(warning.empty());
  ::unlink(path.c_str());
}

TEST(TokenCacheTest, RefusesToOverwriteAForeignFileAndWarnsOnLooseMode) {
  const std::string path = TempPath("b");
  std::ofstream(path) << "precious notes\n";
  std::string warning;
  Result<TokenCache> cache = TokenCache::Open(path, &warning);
  ASSERT_FALSE(cache.ok());
  EXPECT_EQ(cache.error().kind, ErrorKind::kUsage);

  std::ofstream(path) << R"({"mailscout-oauth-cache":1,"entries":[]})";
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(TokenCache::Open(path, &warning).ok());
  EXPECT_NE(warning.find("chmod 600"), std::string::npos);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace mailscout
