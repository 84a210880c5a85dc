#include "engine/login_ledger.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mailscout {
namespace {

// A ledger file larger than this is rewritten with the recent lines only.
constexpr size_t kMaxLines = 2000;
// A realm name is an IP address or a host name: nothing longer.
constexpr size_t kMaxRealm = 255;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool MakeDirs(const std::string& dir) {
  std::string partial;
  std::stringstream parts(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') partial = "/";
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    partial += part + "/";
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool ValidRealm(const std::string& realm) {
  if (realm.empty() || realm.size() > kMaxRealm) return false;
  for (char c : realm) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

LoginLedger::LoginLedger(std::string path, int64_t window_seconds)
    : path_(std::move(path)), window_seconds_(window_seconds) {
  if (!path_.empty()) Load();
}

std::string LoginLedger::DefaultPath() {
  if (const char* dir = std::getenv("MAILSCOUT_STATE_DIR"); dir != nullptr && *dir != '\0') {
    return std::string(dir) + "/failed-logins";
  }
  if (const char* dir = std::getenv("XDG_STATE_HOME"); dir != nullptr && *dir == '/') {
    return std::string(dir) + "/mailscout/failed-logins";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return std::string(home) + "/.local/state/mailscout/failed-logins";
  }
  return {};
}

void LoginLedger::Load() {
  std::ifstream in(path_);
  if (!in) return;  // no file yet: nothing failed recently
  const int64_t since = NowSeconds() - window_seconds_;
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line) && lines < 4 * kMaxLines) {
    ++lines;
    std::istringstream fields(line);
    int64_t when = 0;
    std::string realm;
    if (!(fields >> when >> realm) || !ValidRealm(realm)) continue;
    if (when >= since) failures_[realm].push_back(when);
  }
  if (lines > kMaxLines) {
    // Keep the file small: rewrite it with the recent lines only.
    const std::string tmp = path_ + ".tmp";
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& [realm, times] : failures_) {
      for (int64_t t : times) out << t << ' ' << realm << '\n';
    }
    out.close();
    if (out) std::rename(tmp.c_str(), path_.c_str());
  }
}

int LoginLedger::RecentFailures(const std::string& realm) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(realm);
  if (it == failures_.end()) return 0;
  const int64_t since = NowSeconds() - window_seconds_;
  int n = 0;
  for (int64_t t : it->second) n += t >= since ? 1 : 0;
  return n;
}

void LoginLedger::Record(const std::string& realm) {
  if (!ValidRealm(realm)) return;
  const int64_t now = NowSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  failures_[realm].push_back(now);
  if (path_.empty()) return;
  const std::string dir = path_.substr(0, path_.rfind('/'));
  if (!dir.empty() && !MakeDirs(dir)) {
    warning_ = "cannot create " + dir + ": " + std::strerror(errno);
    return;
  }
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    warning_ = "cannot write " + path_ + ": " + std::strerror(errno);
    return;
  }
  const std::string line = std::to_string(now) + " " + realm + "\n";
  ::flock(fd, LOCK_EX);
  const ssize_t written = ::write(fd, line.data(), line.size());
  ::flock(fd, LOCK_UN);
  ::close(fd);
  if (written != static_cast<ssize_t>(line.size())) warning_ = "cannot write " + path_;
}

std::string LoginLedger::warning() const {
  std::lock_guard<std::mutex> lock(mu_);
  return warning_;
}

}  // namespace mailscout
