// Install paths: where mailscout's data folders are, the bundled provider
// database (providers/) and the helpdesk page's files (web/).
//
// An installed binary finds them under its own prefix, from where it runs
// (/proc/self/exe): <prefix>/bin/mailscout reads <prefix>/share/mailscout/<sub>.
// So a .deb, `cmake --install --prefix DIR`, or a prefix moved elsewhere all
// work without configuration, and a binary run from a build tree
// (build/mailscout) falls back to the source tree's folder, compiled in.
//
// Resolution order, first match wins:
//   1. the folder's environment variable (MAILSCOUT_PROVIDERS_DIR,
//      MAILSCOUT_WEB_DIR), when set and not empty, whether or not it exists
//      (the caller reports a missing folder);
//   2. <directory of the executable>/<MAILSCOUT_DATA_FROM_BIN>/<sub>, when it
//      is a directory (MAILSCOUT_DATA_FROM_BIN is ../share/mailscout for the
//      usual layout; CMake computes it from the install directories);
//   3. the source tree's folder (MAILSCOUT_PROVIDERS_DIR / MAILSCOUT_WEB_DIR
//      compile definitions).
// Nothing is cached: each call reads the environment and the file system.
// Thread-safe unless another thread changes the environment meanwhile.
#ifndef MAILSCOUT_CORE_INSTALL_PATHS_H_
#define MAILSCOUT_CORE_INSTALL_PATHS_H_

#include <string>
#include <string_view>

namespace mailscout {

enum class DataDir {
  kProviders,  // "providers"  the bundled provider database (providers/*.xml)
  kWeb,        // "web"        the helpdesk page: page.html, helpdesk.css, helpdesk.js
};

// The folder's name under <prefix>/share/mailscout ("providers", "web").
std::string_view SubdirName(DataDir which);

// The environment variable that overrides the folder ("MAILSCOUT_WEB_DIR").
std::string_view EnvironmentVariable(DataDir which);

// What the resolution looks at, apart so tests can vary each input.
struct DataDirInputs {
  std::string env_value;   // the environment variable's value; empty when unset
  std::string executable;  // the running binary's absolute path; empty when unknown
  std::string source_dir;  // the source tree's folder (step 3)
};

// The installed folder for a binary at `executable`:
// <its directory>/<MAILSCOUT_DATA_FROM_BIN>/<sub>, lexically normalized,
// whether or not it exists. Empty when executable is empty.
std::string InstalledDataDir(DataDir which, std::string_view executable);

// The resolution order above, applied to the given inputs.
std::string ResolveDataDir(DataDir which, const DataDirInputs& inputs);

// The running binary's path, from /proc/self/exe; empty when it cannot be read.
std::string ExecutablePath();

// The folder this process uses: ResolveDataDir with the real environment,
// ExecutablePath() and the compiled-in source folder.
std::string FindDataDir(DataDir which);

}  // namespace mailscout

#endif  // MAILSCOUT_CORE_INSTALL_PATHS_H_
