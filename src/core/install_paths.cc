#include "core/install_paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

// Set by src/core/CMakeLists.txt from the install directories; this default
// is the usual layout, <prefix>/bin and <prefix>/share.
#ifndef MAILSCOUT_DATA_FROM_BIN
#define MAILSCOUT_DATA_FROM_BIN "../share/mailscout"
#endif
#ifndef MAILSCOUT_PROVIDERS_DIR
#define MAILSCOUT_PROVIDERS_DIR "providers"
#endif
#ifndef MAILSCOUT_WEB_DIR
#define MAILSCOUT_WEB_DIR "web"
#endif

namespace mailscout {
namespace {

namespace fs = std::filesystem;

std::string_view SourceDir(DataDir which) {
  switch (which) {
    case DataDir::kProviders:
      return MAILSCOUT_PROVIDERS_DIR;
    case DataDir::kWeb:
      return MAILSCOUT_WEB_DIR;
  }
  return {};
}

}  // namespace

std::string_view SubdirName(DataDir which) {
  switch (which) {
    case DataDir::kProviders:
      return "providers";
    case DataDir::kWeb:
      return "web";
  }
  return {};
}

std::string_view EnvironmentVariable(DataDir which) {
  switch (which) {
    case DataDir::kProviders:
      return "MAILSCOUT_PROVIDERS_DIR";
    case DataDir::kWeb:
      return "MAILSCOUT_WEB_DIR";
  }
  return {};
}

std::string InstalledDataDir(DataDir which, std::string_view executable) {
  if (executable.empty()) return {};
  const fs::path bin_dir = fs::path(executable).parent_path();
  return (bin_dir / MAILSCOUT_DATA_FROM_BIN / SubdirName(which)).lexically_normal().string();
}

std::string ResolveDataDir(DataDir which, const DataDirInputs& inputs) {
  if (!inputs.env_value.empty()) return inputs.env_value;
  std::string installed = InstalledDataDir(which, inputs.executable);
  std::error_code ec;
  if (!installed.empty() && fs::is_directory(installed, ec)) return installed;
  return inputs.source_dir;
}

std::string ExecutablePath() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

std::string FindDataDir(DataDir which) {
  DataDirInputs inputs;
  const std::string variable(EnvironmentVariable(which));
  if (const char* env = std::getenv(variable.c_str()); env != nullptr) inputs.env_value = env;
  inputs.executable = ExecutablePath();
  inputs.source_dir = std::string(SourceDir(which));
  return ResolveDataDir(which, inputs);
}

}  // namespace mailscout
