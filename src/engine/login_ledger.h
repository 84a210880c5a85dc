// LoginLedger: failed logins per authentication realm, remembered across
// runs for a while, so that running mailscout again and again with a wrong
// password cannot add up to a lockout or a fail2ban ban (fail2ban's default
// is 5 failures in 10 minutes; Dovecot's penalty lasts as long).
//
// The file holds one line per failed login: "<unix seconds> <realm>", the
// realm being a server's IP address. No usernames, no passwords. Lines older
// than the window are ignored and dropped when the file is rewritten.
// Default place: $MAILSCOUT_STATE_DIR/failed-logins, else
// $XDG_STATE_HOME/mailscout/failed-logins, else
// ~/.local/state/mailscout/failed-logins (folder 0700, file 0600).
//
// A ledger that cannot be read or written works in memory only and says so
// in warning(). Thread-safe.
#ifndef MAILSCOUT_ENGINE_LOGIN_LEDGER_H_
#define MAILSCOUT_ENGINE_LOGIN_LEDGER_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mailscout {

class LoginLedger {
 public:
  static constexpr int64_t kDefaultWindowSeconds = 15 * 60;

  // An empty path keeps the ledger in memory (tests, --no-login-ledger).
  explicit LoginLedger(std::string path, int64_t window_seconds = kDefaultWindowSeconds);

  // The default file (see above); empty when no home folder is known.
  static std::string DefaultPath();

  // Failed logins recorded for realm within the window.
  int RecentFailures(const std::string& realm) const;
  // Records one failed login now (appends to the file).
  void Record(const std::string& realm);

  const std::string& path() const { return path_; }
  int64_t window_seconds() const { return window_seconds_; }
  // Why the file could not be used, or empty.
  std::string warning() const;

 private:
  void Load();

  const std::string path_;
  const int64_t window_seconds_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<int64_t>> failures_;  // realm -> unix seconds
  std::string warning_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_ENGINE_LOGIN_LEDGER_H_
