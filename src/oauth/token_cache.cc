#include "oauth/token_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "report/json_fields.h"

namespace mailscout {

namespace {

constexpr const char* kFormat = "mailscout-oauth-cache";
constexpr off_t kMaxCacheBytes = 1 << 20;

Error Usage(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

bool Same(const TokenCacheKey& a, const TokenCacheKey& b) {
  return a.token_endpoint == b.token_endpoint && a.client_id == b.client_id && a.user == b.user &&
         a.scope == b.scope;
}

std::string Field(const Poco::JSON::Object::Ptr& o, const std::string& name) {
  return json::GetString(o, name).value_or("");
}

}  // namespace

Result<TokenCache> TokenCache::Open(const std::string& path, std::string* warning) {
  TokenCache cache;
  cache.path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return cache;
    return Usage("cannot read the OAuth cache " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Usage("the OAuth cache " + path + " is not a regular file");
  if (st.st_size > kMaxCacheBytes) return Usage("the OAuth cache " + path + " is too large");
  if ((st.st_mode & 077) != 0 && warning != nullptr) {
    *warning = "the OAuth cache " + path +
               " can be read by other users; its refresh tokens are passwords (chmod 600 it)";
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) return Usage("cannot read the OAuth cache " + path);
  if (text.str().empty()) return cache;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(text.str());
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) throw Poco::Exception("not an object");
    Poco::JSON::Object::Ptr root = v.extract<Poco::JSON::Object::Ptr>();
    if (!root->has(kFormat)) throw Poco::Exception("no format marker");
    Poco::JSON::Array::Ptr entries = root->getArray("entries");
    if (entries.isNull()) return cache;
    for (size_t i = 0; i < entries->size(); ++i) {
      Poco::JSON::Object::Ptr e = entries->getObject(static_cast<unsigned>(i));
      if (e.isNull()) continue;
      Entry entry;
      entry.key = {Field(e, "token_endpoint"), Field(e, "client_id"), Field(e, "user"),
                   Field(e, "scope")};
      entry.refresh_token = Field(e, "refresh_token");
      if (!entry.refresh_token.empty()) cache.entries_.push_back(std::move(entry));
    }
  } catch (const std::exception&) {
    return Usage(path + " is not a mailscout OAuth cache (refusing to overwrite it)");
  }
  return cache;
}

std::optional<std::string> TokenCache::Find(const TokenCacheKey& key) const {
  for (const Entry& e : entries_) {
    if (Same(e.key, key)) return e.refresh_token;
  }
  return std::nullopt;
}

Status TokenCache::Store(const TokenCacheKey& key, const std::string& refresh_token) {
  std::erase_if(entries_, [&](const Entry& e) { return Same(e.key, key); });
  if (!refresh_token.empty()) entries_.push_back({key, refresh_token});

  Poco::JSON::Object root;
  root.set(kFormat, 1);
  Poco::JSON::Array entries;
  for (const Entry& e : entries_) {
    Poco::JSON::Object o;
    o.set("token_endpoint", e.key.token_endpoint);
    o.set("client_id", e.key.client_id);
    o.set("user", e.key.user);
    o.set("scope", e.key.scope);
    o.set("refresh_token", e.refresh_token);
    entries.add(o);
  }
  root.set("entries", entries);
  std::ostringstream text;
  root.stringify(text, 2);
  text << '\n';

  const std::string temp = path_ + ".tmp" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Usage("cannot write the OAuth cache " + temp + ": " + std::strerror(errno));
  const std::string data = text.str();
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const bool ok = written == data.size() && ::fchmod(fd, 0600) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    return Usage("cannot write the OAuth cache " + path_ + ": " + why);
  }
  return OkStatus();
}

}  // namespace mailscout
