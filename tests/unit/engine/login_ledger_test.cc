// LoginLedger: failures per realm survive the process, within a window, in a
// private file, without secrets.
#include "engine/login_ledger.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace mailscout {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/ledger-test-XXXXXX";
  return mkdtemp(tmpl);
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(LoginLedgerTest, FailuresSurviveTheProcessInAPrivateFile) {
  const std::string path = TempDir() + "/state/failed-logins";
  {
    LoginLedger ledger(path);
    EXPECT_EQ(ledger.RecentFailures("192.0.2.1"), 0);
    ledger.Record("192.0.2.1");
    ledger.Record("192.0.2.1");
    ledger.Record("198.51.100.7");
    EXPECT_EQ(ledger.warning(), "");
  }
  LoginLedger again(path);
  EXPECT_EQ(again.RecentFailures("192.0.2.1"), 2);
  EXPECT_EQ(again.RecentFailures("198.51.100.7"), 1);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(LoginLedgerTest, OldAndMalformedLinesAreIgnored) {
  const std::string path = TempDir() + "/failed-logins";
  {
    std::ofstream out(path);
    out << (Now() - 3600) << " 192.0.2.1\n";  // older than the window
    out << Now() << " 192.0.2.1\n";
    out << "garbage\n"
        << Now()
        << " \x01"
           "bad\n";
  }
  LoginLedger ledger(path, 900);
  EXPECT_EQ(ledger.RecentFailures("192.0.2.1"), 1);
}

TEST(LoginLedgerTest, UnwritableFileWorksInMemoryAndSaysWhy) {
  LoginLedger ledger("/proc/no-such-dir/failed-logins");
  ledger.Record("192.0.2.1");
  EXPECT_EQ(ledger.RecentFailures("192.0.2.1"), 1);
  EXPECT_NE(ledger.warning(), "");
}

TEST(LoginLedgerTest, DefaultPathFollowsTheEnvironment) {
  setenv("MAILSCOUT_STATE_DIR", "/var/tmp/ms", 1);
  EXPECT_EQ(LoginLedger::DefaultPath(), "/var/tmp/ms/failed-logins");
  unsetenv("MAILSCOUT_STATE_DIR");
  setenv("XDG_STATE_HOME", "/x/state", 1);
  EXPECT_EQ(LoginLedger::DefaultPath(), "/x/state/mailscout/failed-logins");
  unsetenv("XDG_STATE_HOME");
}

}  // namespace
}  // namespace mailscout
