// ProviderDb: the bundled provider database (providers/*.xml) plus any
// --providers directories, loaded once and indexed by domain.
//
// Each file is an ISPDB clientConfig 1.1 document (client_config.h).
// Directories are consulted in the order given: a domain named by a file in
// an earlier directory wins over later ones, so --providers directories go
// before the bundled one. Within a directory files are read in name order.
// Immutable after Load(): Find() is thread-safe.
//
// Cost: Load() reads the files but parses none of them; a background thread
// parses them all while the caller goes on (discovery's network steps). Find()
// parses, at most, the files whose text could name the domain (a substring
// test on the lower-cased text), so it does not wait for the rest; size() and
// warnings() wait until every file is parsed. What each call returns is the
// same as if Load() had parsed everything itself.
#ifndef MAILSCOUT_DISCOVER_PROVIDER_DB_H_
#define MAILSCOUT_DISCOVER_PROVIDER_DB_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "discover/client_config.h"

namespace mailscout {

struct ProviderEntry {
  ProviderConfig config;
  std::string origin;  // the file it came from
};

class ProviderDb {
 public:
  ProviderDb() = default;

  // The bundled directory: $MAILSCOUT_PROVIDERS_DIR if set, else the
  // installed <prefix>/share/mailscout/providers next to the running binary
  // if it exists, else the source tree's providers/ (core/install_paths.h).
  static std::string BundledDir();

  // Loads every *.xml file of every directory. Errors (for exit status 2):
  // a directory that does not exist or cannot be read. A file that does not
  // parse is skipped and described in warnings(). When allow_missing_last
  // is true, a missing last directory (the bundled one) is only a warning.
  static Result<ProviderDb> Load(const std::vector<std::string>& dirs,
                                 bool allow_missing_last = false);

  // Adds one parsed config (tests, and Load itself). Domains already
  // present keep their earlier entry.
  void Add(ProviderConfig config, std::string origin);

  // The entry for an ASCII, lower-case domain; nullptr when none.
  const ProviderEntry* Find(std::string_view domain) const;

  size_t size() const;
  const std::vector<std::string>& warnings() const;

  // The loaded files, parsed on demand (provider_db.cc).
  class Files;

 private:
  // Load()'s files (null for a database built with Add() only); they come
  // before the entries and warnings below, which Add() makes.
  std::shared_ptr<Files> files_;
  std::vector<std::shared_ptr<const ProviderEntry>> entries_;
  std::map<std::string, std::shared_ptr<const ProviderEntry>, std::less<>> by_domain_;
  std::vector<std::string> warnings_;
  // files_'s warnings followed by warnings_, made on first call of warnings().
  mutable std::shared_ptr<const std::vector<std::string>> all_warnings_;
  mutable std::shared_ptr<std::once_flag> all_warnings_once_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_PROVIDER_DB_H_
