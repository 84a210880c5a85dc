// Runs the mailscout binary for end-to-end tests: arguments without a shell,
// the password only in the child's environment, stdout and stderr captured
// separately, a hard time limit.
#ifndef MAILSCOUT_TESTS_E2E_SETUP_RUN_MAILSCOUT_H_
#define MAILSCOUT_TESTS_E2E_SETUP_RUN_MAILSCOUT_H_

#include <optional>
#include <string>
#include <vector>

namespace mailscout::e2e {

struct RunResult {
  int status = -1;  // exit status, or 128 + signal
  std::string out;
  std::string err;
  double seconds = 0;
};

// Runs MAILSCOUT_BINARY with args. `password` goes into MAILSCOUT_PASSWORD
// of the child only; the child is killed after `limit_seconds`.
RunResult RunMailscout(const std::vector<std::string>& args,
                       const std::optional<std::string>& password = std::nullopt,
                       double limit_seconds = 60);

// A fresh directory under /tmp, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);

}  // namespace mailscout::e2e

#endif  // MAILSCOUT_TESTS_E2E_SETUP_RUN_MAILSCOUT_H_
