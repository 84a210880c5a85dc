// ProviderDb: the bundled provider database (providers/*.xml) plus any
// --providers directories, loaded once and looked up by domain.
//
// Each file is an ISPDB clientConfig 1.1 document (client_config.h).
// Directories are consulted in the order given: a domain named by a file in
// an earlier directory wins over later ones, so --providers directories go
// before the bundled one. Within a directory files are read in name order.
// Immutable after Load() as far as callers can tell: Find() is thread-safe.
//
// Two kinds of directory:
// - Indexed: the directory has a domains.idx whose first line is
//   "mailscout-provider-index 1" (written by providers/make-index; format in
//   that script). Load() reads the index and checks it (one pass over it)
//   and reads no XML file. Find() binary-searches the index in memory,
//   then reads and parses the one file it names (once; later calls share the
//   parse) and checks that the file really lists the domain. When it does
//   not, or the file is missing or does not parse, a warning names the
//   index line and the file, and that directory is scanned as below (once).
//   A domain the index does not list is not in that directory, without any
//   file being opened. A malformed index (wrong first line, a bad line,
//   unsorted or duplicate domains) is a warning, and the directory is
//   scanned.
// - Scanned (no domains.idx, e.g. a user's --providers DIR): Load() reads
//   the files but parses none of them; a background thread parses them all
//   while the caller goes on (discovery's network steps). Find() parses, at
//   most, the files whose text could name the domain (a substring test on
//   the lower-cased text), so it does not wait for the rest. What Find()
//   returns is the same as if Load() had parsed everything itself.
//
// size() and warnings() report what was loaded without parsing an indexed
// directory's files; see each method.
#ifndef MAILSCOUT_DISCOVER_PROVIDER_DB_H_
#define MAILSCOUT_DISCOVER_PROVIDER_DB_H_

#include <map>
#include <memory>
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

  // Loads every directory (see above). Errors (for exit status 2): a
  // directory that does not exist or cannot be listed. A file that does not
  // parse is skipped and described in warnings(). When allow_missing_last
  // is true, a missing last directory (the bundled one) is only a warning.
  static Result<ProviderDb> Load(const std::vector<std::string>& dirs,
                                 bool allow_missing_last = false);

  // Adds one parsed config (tests, and Load itself). Domains already
  // present keep their earlier entry.
  void Add(ProviderConfig config, std::string origin);

  // The entry for an ASCII, lower-case domain; nullptr when none. The entry
  // lives as long as this database (and its copies).
  const ProviderEntry* Find(std::string_view domain) const;

  // The number of providers: for a scanned directory the <emailProvider>
  // entries of its files (this parses them all), for an indexed directory
  // the distinct file names in its index (no file is read), plus Add()'s.
  size_t size() const;

  // Problems so far, in directory order, then Add()'s: a missing directory;
  // for a scanned directory every file that cannot be read or parsed (this
  // parses them all); for an indexed directory the index's own problems and
  // those of the files Find() has parsed so far (a stale index line, a file
  // that does not parse). A snapshot: later Find() calls may add to it.
  std::vector<std::string> warnings() const;

  // One directory of Load(), indexed or scanned (provider_db.cc).
  class Directory;

 private:
  // Load()'s directories (empty for a database built with Add() only); they
  // come before the entries and warnings below, which Add() makes. Shared by
  // copies.
  std::shared_ptr<const std::vector<std::unique_ptr<Directory>>> dirs_;
  std::vector<std::shared_ptr<const ProviderEntry>> entries_;
  std::map<std::string, std::shared_ptr<const ProviderEntry>, std::less<>> by_domain_;
  std::vector<std::string> warnings_;
};

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_PROVIDER_DB_H_
