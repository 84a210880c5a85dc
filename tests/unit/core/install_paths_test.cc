#include "core/install_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>

namespace mailscout {
namespace {

namespace fs = std::filesystem;

// A fake install prefix in a temporary folder: <prefix>/bin/mailscout (an
// empty file: only its path matters) and, when asked, its data folders.
class InstallPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = fs::temp_directory_path() /
              ("mailscout-install-paths-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(prefix_ / "bin");
    fs::create_directories(prefix_ / "src-tree");
  }
  void TearDown() override { fs::remove_all(prefix_); }

  std::string Installed(const std::string& sub) {
    const fs::path dir = prefix_ / "share/mailscout" / sub;
    fs::create_directories(dir);
    return dir.string();
  }
  DataDirInputs Inputs(std::string env_value = {}) const {
    return {std::move(env_value), (prefix_ / "bin/mailscout").string(),
            (prefix_ / "src-tree").string()};
  }

  fs::path prefix_;
};

TEST_F(InstallPathsTest, InstalledFolderIsUnderThePrefixOfTheBinary) {
  EXPECT_EQ(InstalledDataDir(DataDir::kProviders, "/usr/bin/mailscout"),
            "/usr/share/mailscout/providers");
  EXPECT_EQ(InstalledDataDir(DataDir::kWeb, "/opt/ms/bin/mailscout"),
            "/opt/ms/share/mailscout/web");
  // A binary replaced while it runs (a package upgrade) still names its folder.
  EXPECT_EQ(InstalledDataDir(DataDir::kWeb, "/usr/bin/mailscout (deleted)"),
            "/usr/share/mailscout/web");
  EXPECT_EQ(InstalledDataDir(DataDir::kWeb, ""), "");
}

TEST_F(InstallPathsTest, EnvironmentVariableWinsOverEverything) {
  Installed("providers");
  EXPECT_EQ(ResolveDataDir(DataDir::kProviders, Inputs("/elsewhere/providers")),
            "/elsewhere/providers");
  // Even when it names nothing: the caller reports the missing folder.
  EXPECT_EQ(ResolveDataDir(DataDir::kProviders, Inputs("/does/not/exist")), "/does/not/exist");
}

TEST_F(InstallPathsTest, InstalledFolderWinsOverTheSourceTree) {
  const std::string providers = Installed("providers");
  EXPECT_EQ(ResolveDataDir(DataDir::kProviders, Inputs()), providers);
  const std::string web = Installed("web");
  EXPECT_EQ(ResolveDataDir(DataDir::kWeb, Inputs()), web);
}

TEST_F(InstallPathsTest, SourceTreeWhenNothingIsInstalled) {
  // A build tree's binary: no share/mailscout next to it.
  EXPECT_EQ(ResolveDataDir(DataDir::kProviders, Inputs()), (prefix_ / "src-tree").string());
  // One folder installed does not stand for the other.
  Installed("providers");
  EXPECT_EQ(ResolveDataDir(DataDir::kWeb, Inputs()), (prefix_ / "src-tree").string());
  // A file where the folder should be is not the folder.
  fs::create_directories(prefix_ / "share/mailscout");
  std::ofstream(prefix_ / "share/mailscout/web") << "not a folder";
  EXPECT_EQ(ResolveDataDir(DataDir::kWeb, Inputs()), (prefix_ / "src-tree").string());
  // Unknown executable: straight to the source tree.
  DataDirInputs unknown = Inputs();
  unknown.executable.clear();
  EXPECT_EQ(ResolveDataDir(DataDir::kProviders, unknown), (prefix_ / "src-tree").string());
}

// Sets an environment variable for one scope and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value != nullptr) {
      ::setenv(name_.c_str(), value, 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(FindDataDirTest, ReadsTheRealEnvironmentAndBinary) {
  EXPECT_EQ(EnvironmentVariable(DataDir::kProviders), "MAILSCOUT_PROVIDERS_DIR");
  EXPECT_EQ(EnvironmentVariable(DataDir::kWeb), "MAILSCOUT_WEB_DIR");
  {
    ScopedEnv env("MAILSCOUT_WEB_DIR", "/srv/web");
    EXPECT_EQ(FindDataDir(DataDir::kWeb), "/srv/web");
  }
  {
    // An empty variable counts as unset. This test binary lives in the
    // build tree, with no share/mailscout near it: the source tree's folders.
    ScopedEnv env("MAILSCOUT_PROVIDERS_DIR", "");
    EXPECT_EQ(FindDataDir(DataDir::kProviders), MAILSCOUT_SOURCE_DIR "/providers");
  }
  ScopedEnv env("MAILSCOUT_WEB_DIR", nullptr);
  EXPECT_EQ(FindDataDir(DataDir::kWeb), MAILSCOUT_SOURCE_DIR "/web");
  EXPECT_EQ(fs::path(ExecutablePath()).filename(), "core_test");
}

}  // namespace
}  // namespace mailscout
