#include "discover/provider_db.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "core/email_address.h"
#include "core/install_paths.h"

namespace mailscout {
namespace {

namespace fs = std::filesystem;

// Reads at most limit + 1 bytes so an oversized file is noticed cheaply.
// The buffer is sized from the file's size (provider files are a few KiB):
// zeroing limit + 1 bytes for each file cost more than parsing them all.
Result<std::string> ReadBounded(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Make(ErrorKind::kProtocol, "cannot read " + path.string());
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  std::string data;
  size_t want = ec ? 4096 : static_cast<size_t>(std::min<uintmax_t>(size, limit)) + 1;
  // Grow while the file turns out longer than its size said, up to limit + 1.
  while (data.size() <= limit) {
    const size_t before = data.size();
    data.resize(std::min(before + want, limit + 1));
    in.read(data.data() + before, static_cast<std::streamsize>(data.size() - before));
    data.resize(before + static_cast<size_t>(in.gcount()));
    if (!in) break;
    want = std::max<size_t>(want, 4096) * 2;
  }
  return data;
}

// The text Find() searches: lower-cased, with the entity and character
// references tinyxml2 resolves replaced by what they stand for, so a domain
// the parser would read from the file is a substring of it (a domain is the
// trimmed, lower-cased text of one element; an ASCII domain is its own
// A-label). Replacing everywhere, also inside comments, can only add matches.
// *always_parse is set when that reasoning does not hold: the file has bytes
// outside ASCII (or references to them), so a domain may be an IDN, or a
// character reference this function does not read.
char LowerByte(unsigned char c) {
  return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

std::string SearchText(std::string_view xml, bool* always_parse) {
  std::string out(xml.size(), '\0');
  size_t n = 0;
  unsigned char seen = 0;  // all bytes or'ed: bit 7 set when any is outside ASCII
  *always_parse = false;
  for (size_t i = 0; i < xml.size(); ++i) {
    // The plain run up to the next '&' (a loop the compiler vectorizes).
    const size_t amp = std::min(xml.find('&', i), xml.size());
    for (; i < amp; ++i) {
      const unsigned char c = static_cast<unsigned char>(xml[i]);
      seen |= c;
      out[n++] = LowerByte(c);
    }
    if (i == xml.size()) break;
    {
      const std::string_view rest = xml.substr(i + 1, 64);
      const size_t semi = rest.find(';');
      const std::string_view ref = rest.substr(0, semi);
      int code = -1;
      if (semi == std::string_view::npos) {
        // not a reference tinyxml2 resolves, unless a long numeric one
        if (!ref.empty() && ref[0] == '#') *always_parse = true;
      } else if (ref == "amp") {
        code = '&';
      } else if (ref == "lt") {
        code = '<';
      } else if (ref == "gt") {
        code = '>';
      } else if (ref == "quot") {
        code = '"';
      } else if (ref == "apos") {
        code = '\'';
      } else if (!ref.empty() && ref[0] == '#') {
        const bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
        const std::string digits(ref.substr(hex ? 2 : 1));
        char* end = nullptr;
        const unsigned long value =
            digits.empty() ? 0 : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
        if (digits.empty() || end == nullptr || *end != 0 || value == 0 || value >= 0x80) {
          *always_parse = true;
        } else {
          code = static_cast<int>(value);
        }
      }
      if (code >= 0) {
        out[n++] = LowerByte(static_cast<unsigned char>(code));
        i += semi + 1;
        continue;
      }
    }
    out[n++] = '&';
  }
  out.resize(n);
  if (seen & 0x80) *always_parse = true;
  return out;
}

Error Bad(std::string message) { return Error::Make(ErrorKind::kProtocol, std::move(message)); }

// One provider file: read by Load() (scanned directory) or by Find()
// (indexed directory), parsed once by whoever needs it first.
struct ParsedFile {
  std::string origin;         // the file
  std::string data;           // its contents (released after parsing)
  std::string search;         // SearchText(data); scanned directories only
  bool always_parse = false;  // see SearchText()
  std::string warning;        // set when the file could not be read (then no data)
  // Filled under parsed; read by others only after done is set.
  std::once_flag parsed;
  std::atomic<bool> done{false};
  bool parse_ok = false;
  std::vector<std::shared_ptr<const ProviderEntry>> entries;
  std::map<std::string, std::shared_ptr<const ProviderEntry>, std::less<>> by_domain;
  std::vector<std::string> warnings;
};

// Parses file.data into the entries; call once, under file.parsed.
void ParseInto(ParsedFile& file) {
  Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(file.data);
  if (!parsed.ok()) {
    file.warnings.push_back(file.origin + ": " + parsed.error().message);
  } else {
    file.parse_ok = true;
    for (auto& config : parsed.value()) {
      auto entry = std::make_shared<ProviderEntry>();
      entry->config = std::move(config);
      entry->origin = file.origin;
      for (const auto& domain : entry->config.domains) {
        Result<std::string> ascii = ToAsciiDomain(domain);
        if (!ascii.ok()) {
          file.warnings.push_back(entry->origin + ": domain '" + domain +
                                  "' ignored: " + ascii.error().message);
          continue;
        }
        file.by_domain.emplace(ascii.value(), entry);  // an earlier entry wins
      }
      file.entries.push_back(std::move(entry));
    }
  }
  file.done.store(true, std::memory_order_release);
}

// Appends file's warnings if it has been read and parsed (or could not be
// read); never waits.
void AppendDoneWarnings(const ParsedFile& file, std::vector<std::string>* out) {
  if (!file.warning.empty()) {
    out->push_back(file.warning);
  } else if (file.done.load(std::memory_order_acquire)) {
    out->insert(out->end(), file.warnings.begin(), file.warnings.end());
  }
}

// The files of one directory without an index, read at once and parsed on
// demand (see "Scanned" in provider_db.h).
class Scan {
 public:
  Scan() = default;
  ~Scan() {
    stop_ = true;
    if (worker_.joinable()) worker_.join();
  }
  Scan(const Scan&) = delete;
  Scan& operator=(const Scan&) = delete;

  // Reads every *.xml file of dir. Error: dir cannot be listed. An
  // unreadable file is a warning item.
  static Result<std::unique_ptr<Scan>> Read(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> paths;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".xml" && it->is_regular_file(ec)) paths.push_back(it->path());
    }
    if (ec) {
      return Bad("cannot read the provider directory " + dir.string() + ": " + ec.message());
    }
    std::sort(paths.begin(), paths.end());
    auto scan = std::make_unique<Scan>();
    for (const auto& path : paths) {
      auto item = std::make_unique<ParsedFile>();
      Result<std::string> data = ReadBounded(path, kMaxClientConfigBytes);
      if (data.ok()) {
        item->origin = path.string();
        item->search = SearchText(data.value(), &item->always_parse);
        item->data = std::move(data.value());
      } else {
        item->warning = data.error().message;
      }
      scan->items_.push_back(std::move(item));
    }
    return scan;
  }

  // Parses every file on a thread of its own; Find() meanwhile parses what
  // it needs itself (each file once, whoever comes first). The thread runs
  // at a lower priority (nice 10): it must not take a core from the
  // handshakes discovery is waiting for, only use the time they leave idle.
  void StartBackground() {
    if (items_.empty()) return;
    worker_ = std::thread([this] {
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);  // this thread only (Linux)
      for (auto& item : items_) {
        if (stop_) return;
        Parse(*item);
      }
    });
  }

  const ProviderEntry* Find(std::string_view domain) const {
    for (auto& item : items_) {
      if (!item->warning.empty()) continue;
      if (!item->always_parse && item->search.find(domain) == std::string::npos) continue;
      Parse(*item);
      auto it = item->by_domain.find(domain);
      if (it != item->by_domain.end()) return it->second.get();
    }
    return nullptr;
  }

  size_t size() const {
    size_t n = 0;
    for (auto& item : items_) {
      Parse(*item);
      n += item->entries.size();
    }
    return n;
  }

  // With parse_all, parses every file first; otherwise only the files
  // parsed so far are reported.
  void AppendWarnings(std::vector<std::string>* out, bool parse_all) const {
    for (auto& item : items_) {
      if (parse_all) Parse(*item);
      AppendDoneWarnings(*item, out);
    }
  }

 private:
  static void Parse(ParsedFile& item) {
    if (!item.warning.empty()) return;
    std::call_once(item.parsed, [&item] { ParseInto(item); });
  }

  std::vector<std::unique_ptr<ParsedFile>> items_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

constexpr std::string_view kIndexName = "domains.idx";
constexpr std::string_view kIndexHeader = "mailscout-provider-index 1\n";
constexpr size_t kMaxIndexBytes = 64 << 20;

// A domains.idx held in memory (format: providers/make-index). Open() reads
// and checks it in one pass (bench/providers: this stays flat up to 10 000
// providers; a mapping would save the copy but turn an index truncated
// while a long-running `serve` holds it into SIGBUS); Lookup() then reads
// O(log n) lines of it.
class DomainIndex {
 public:
  struct Hit {
    std::string_view file;  // the file name of the line
    size_t offset;          // where the line starts in the body
  };

  DomainIndex(const DomainIndex&) = delete;
  DomainIndex& operator=(const DomainIndex&) = delete;

  // nullptr when path does not exist. Errors: it cannot be read, is empty
  // or over kMaxIndexBytes, or is malformed (the message names the line).
  static Result<std::unique_ptr<DomainIndex>> Open(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return std::unique_ptr<DomainIndex>();
      return Bad(std::string("cannot open: ") + std::strerror(errno));
    }
    std::unique_ptr<DomainIndex> index(new DomainIndex());
    std::string& text = index->text_;
    struct stat st {};
    std::string problem;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      problem = "not a regular file";
    } else {
      // Read until end of file (it may have grown since fstat), up to the limit + 1.
      text.resize(std::min<size_t>(static_cast<size_t>(st.st_size), kMaxIndexBytes) + 1);
      size_t got = 0;
      while (true) {
        if (got == text.size()) {
          if (text.size() > kMaxIndexBytes) break;
          text.resize(std::min(text.size() * 2, kMaxIndexBytes + 1));
        }
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) problem = std::string("cannot read: ") + std::strerror(errno);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      text.resize(got);
      if (problem.empty() && text.empty()) problem = "empty";
      if (problem.empty() && text.size() > kMaxIndexBytes) problem = "larger than 64 MiB";
    }
    ::close(fd);
    if (!problem.empty()) return Bad(problem);
    Status checked = index->Check();
    if (!checked.ok()) return checked.error();
    return index;
  }

  // The line for domain, by binary search over the bytes: each step finds
  // the line around the middle of the range left.
  std::optional<Hit> Lookup(std::string_view domain) const {
    size_t lo = 0;  // always the start of a line
    size_t hi = body_.size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      const size_t newline = mid == 0 ? std::string_view::npos : body_.rfind('\n', mid - 1);
      const size_t start = newline == std::string_view::npos ? 0 : newline + 1;
      const size_t end = body_.find('\n', start);  // Check() saw one
      const std::string_view line = body_.substr(start, end - start);
      const size_t tab = line.find('\t');
      const int order = line.substr(0, tab).compare(domain);
      if (order == 0) return Hit{line.substr(tab + 1), start};
      if (order < 0) {
        lo = end + 1;
      } else {
        hi = start;
      }
    }
    return std::nullopt;
  }

  // The 1-based line number (header = 1) of the line at offset.
  size_t LineNumber(size_t offset) const {
    return 2 + static_cast<size_t>(std::count(body_.begin(), body_.begin() + offset, '\n'));
  }

  // The number of distinct file names (reads the whole index).
  size_t FileCount() const {
    std::set<std::string_view> files;
    ForEachLine([&files](std::string_view, std::string_view file) { files.insert(file); });
    return files.size();
  }

 private:
  DomainIndex() = default;

  template <typename Fn>
  void ForEachLine(Fn fn) const {
    for (size_t pos = 0; pos < body_.size();) {
      const size_t end = body_.find('\n', pos);
      const std::string_view line = body_.substr(pos, end - pos);
      const size_t tab = line.find('\t');
      fn(line.substr(0, tab), line.substr(tab + 1));
      pos = end + 1;
    }
  }

  // The header, then "<domain>\t<file>\n" lines with printable ASCII
  // domains (no upper case) in strictly increasing byte order, and file
  // names without '/' or control characters.
  Status Check() {
    const std::string_view text(text_);
    if (text.substr(0, kIndexHeader.size()) != kIndexHeader) {
      return Bad("the first line is not '" +
                 std::string(kIndexHeader.substr(0, kIndexHeader.size() - 1)) + "'");
    }
    body_ = text.substr(kIndexHeader.size());
    std::string_view previous;
    size_t number = 1;
    for (size_t pos = 0; pos < body_.size();) {
      ++number;
      const std::string where = "line " + std::to_string(number);
      const size_t end = body_.find('\n', pos);
      if (end == std::string_view::npos) return Bad(where + " does not end with a line feed");
      const std::string_view line = body_.substr(pos, end - pos);
      const size_t tab = line.find('\t');
      if (tab == std::string_view::npos || tab == 0 || tab + 1 == line.size()) {
        return Bad(where + " is not '<domain><tab><file name>'");
      }
      const std::string_view domain = line.substr(0, tab);
      const std::string_view file = line.substr(tab + 1);
      auto bad_domain_byte = [](unsigned char c) {
        return c <= ' ' || c >= 0x7f || (c >= 'A' && c <= 'Z');
      };
      auto bad_file_byte = [](unsigned char c) { return c < ' ' || c == 0x7f || c == '/'; };
      if (std::any_of(domain.begin(), domain.end(), bad_domain_byte)) {
        return Bad(where + ": the domain is not lower-case ASCII");
      }
      if (std::any_of(file.begin(), file.end(), bad_file_byte)) {
        return Bad(where + ": the file name is not a plain name");
      }
      if (!previous.empty() && domain <= previous) {
        return Bad(where + (domain == previous
                                ? ": " + std::string(domain) + " appears twice"
                                : ": " + std::string(domain) + " is not sorted after " +
                                      std::string(previous)));
      }
      previous = domain;
      pos = end + 1;
    }
    return OkStatus();
  }

  std::string text_;
  std::string_view body_;  // the lines after the header
};

}  // namespace

class ProviderDb::Directory {
 public:
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // A directory that does not exist: only a warning.
  static std::unique_ptr<Directory> Missing(std::string warning) {
    std::unique_ptr<Directory> dir(new Directory(""));
    dir->load_warnings_.push_back(std::move(warning));
    return dir;
  }

  // Reads path/domains.idx if there is one, else (or when it is malformed:
  // a warning) reads the files. Error: path cannot be listed.
  static Result<std::unique_ptr<Directory>> Open(const std::string& path) {
    std::unique_ptr<Directory> dir(new Directory(path));
    const fs::path index_path = fs::path(path) / kIndexName;
    Result<std::unique_ptr<DomainIndex>> index = DomainIndex::Open(index_path);
    if (index.ok() && index.value() != nullptr) {
      dir->index_ = std::move(index.value());
      return dir;
    }
    if (!index.ok()) {
      dir->load_warnings_.push_back(index_path.string() + ": " + index.error().message +
                                    "; reading every file of " + path + " instead");
    }
    Result<std::unique_ptr<Scan>> scan = Scan::Read(path);
    if (!scan.ok()) return scan.error();
    dir->scan_ = std::move(scan.value());
    dir->scan_->StartBackground();
    return dir;
  }

  const ProviderEntry* Find(std::string_view domain) const {
    if (scan_ != nullptr) return scan_->Find(domain);
    if (index_ == nullptr) return nullptr;
    std::optional<DomainIndex::Hit> hit = index_->Lookup(domain);
    if (!hit) return nullptr;
    const ParsedFile& file = Parsed(hit->file);
    std::string problem;
    if (!file.warning.empty()) {
      problem = file.warning;
    } else if (!file.parse_ok) {
      problem = file.origin + " does not parse";
    } else {
      auto it = file.by_domain.find(domain);
      if (it != file.by_domain.end()) return it->second.get();
      problem = file.origin + " does not list " + std::string(domain);
    }
    Warn(*hit, domain, problem);
    return Fallback().Find(domain);
  }

  size_t size() const {
    if (scan_ != nullptr) return scan_->size();
    return index_ != nullptr ? index_->FileCount() : 0;
  }

  void AppendWarnings(std::vector<std::string>* out) const {
    out->insert(out->end(), load_warnings_.begin(), load_warnings_.end());
    if (scan_ != nullptr) scan_->AppendWarnings(out, /*parse_all=*/true);
    if (index_ == nullptr) return;
    std::vector<std::string> mine;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [name, file] : files_) {
        // Not before its parse is done (warning is set under its once_flag);
        // a file that cannot be read is described by its index line's warning.
        if (file->done.load(std::memory_order_acquire) && file->warning.empty()) {
          AppendDoneWarnings(*file, &mine);
        }
      }
      mine.insert(mine.end(), stale_.begin(), stale_.end());
      if (fallback_ != nullptr) fallback_->AppendWarnings(&mine, /*parse_all=*/false);
    }
    // A file parsed both for its index line and by the fallback scan is
    // reported once.
    for (auto& warning : mine) {
      if (std::find(out->begin(), out->end(), warning) == out->end()) out->push_back(warning);
    }
  }

 private:
  explicit Directory(std::string path) : path_(std::move(path)) {}

  // The file an index line names, read and parsed once.
  const ParsedFile& Parsed(std::string_view name) const {
    ParsedFile* file = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(name);
      if (it == files_.end()) it = files_.emplace(name, std::make_unique<ParsedFile>()).first;
      file = it->second.get();
    }
    std::call_once(file->parsed, [this, file, name] {
      const fs::path path = fs::path(path_) / name;
      file->origin = path.string();
      Result<std::string> data = ReadBounded(path, kMaxClientConfigBytes);
      if (!data.ok()) {
        file->warning = data.error().message;
        file->done.store(true, std::memory_order_release);
        return;
      }
      file->data = std::move(data.value());
      ParseInto(*file);
      std::string().swap(file->data);
    });
    return *file;
  }

  // Records a stale or broken index line, once per line.
  void Warn(const DomainIndex::Hit& hit, std::string_view domain,
            const std::string& problem) const {
    const std::string warning = (fs::path(path_) / kIndexName).string() + " line " +
                                std::to_string(index_->LineNumber(hit.offset)) + " (" +
                                std::string(domain) + " in " + std::string(hit.file) +
                                "): " + problem + "; reading every file of " + path_ + " instead";
    std::lock_guard<std::mutex> lock(mu_);
    if (warned_lines_.insert(hit.offset).second) stale_.push_back(warning);
  }

  // The whole directory, read the first time an index line proves stale.
  const Scan& Fallback() const {
    std::call_once(fallback_once_, [this] {
      Result<std::unique_ptr<Scan>> scan = Scan::Read(path_);
      std::lock_guard<std::mutex> lock(mu_);
      if (scan.ok()) {
        fallback_ = std::move(scan.value());
      } else {
        stale_.push_back(scan.error().message);
        fallback_ = std::make_unique<Scan>();
      }
    });
    return *fallback_;
  }

  const std::string path_;
  std::vector<std::string> load_warnings_;
  std::unique_ptr<Scan> scan_;          // a directory without a (usable) index
  std::unique_ptr<DomainIndex> index_;  // else its index
  // An indexed directory's state, made by Find(); guarded by mu_.
  mutable std::mutex mu_;
  mutable std::map<std::string, std::unique_ptr<ParsedFile>, std::less<>> files_;  // by name
  mutable std::vector<std::string> stale_;  // index lines that proved wrong
  mutable std::set<size_t> warned_lines_;
  mutable std::once_flag fallback_once_;
  mutable std::unique_ptr<Scan> fallback_;  // set once, under fallback_once_ and mu_
};

std::string ProviderDb::BundledDir() { return FindDataDir(DataDir::kProviders); }

Result<ProviderDb> ProviderDb::Load(const std::vector<std::string>& dirs, bool allow_missing_last) {
  auto loaded = std::make_shared<std::vector<std::unique_ptr<Directory>>>();
  for (size_t i = 0; i < dirs.size(); ++i) {
    std::error_code ec;
    if (!fs::is_directory(fs::path(dirs[i]), ec)) {
      std::string message = "the provider directory " + dirs[i] + " does not exist";
      if (allow_missing_last && i + 1 == dirs.size()) {
        loaded->push_back(Directory::Missing(message + "; only --providers directories are used"));
        continue;
      }
      return Error::Make(ErrorKind::kProtocol, message);
    }
    Result<std::unique_ptr<Directory>> dir = Directory::Open(dirs[i]);
    if (!dir.ok()) return dir.error();
    loaded->push_back(std::move(dir.value()));
  }
  ProviderDb db;
  db.dirs_ = std::move(loaded);
  return db;
}

void ProviderDb::Add(ProviderConfig config, std::string origin) {
  auto entry = std::make_shared<ProviderEntry>();
  entry->config = std::move(config);
  entry->origin = std::move(origin);
  for (const auto& domain : entry->config.domains) {
    Result<std::string> ascii = ToAsciiDomain(domain);
    if (!ascii.ok()) {
      warnings_.push_back(entry->origin + ": domain '" + domain +
                          "' ignored: " + ascii.error().message);
      continue;
    }
    by_domain_.emplace(ascii.value(), entry);  // an earlier entry wins
  }
  entries_.push_back(std::move(entry));
}

const ProviderEntry* ProviderDb::Find(std::string_view domain) const {
  if (dirs_ != nullptr) {
    for (const auto& dir : *dirs_) {
      if (const ProviderEntry* entry = dir->Find(domain)) return entry;
    }
  }
  auto it = by_domain_.find(domain);
  return it == by_domain_.end() ? nullptr : it->second.get();
}

size_t ProviderDb::size() const {
  size_t n = entries_.size();
  if (dirs_ != nullptr) {
    for (const auto& dir : *dirs_) n += dir->size();
  }
  return n;
}

std::vector<std::string> ProviderDb::warnings() const {
  std::vector<std::string> all;
  if (dirs_ != nullptr) {
    for (const auto& dir : *dirs_) dir->AppendWarnings(&all);
  }
  all.insert(all.end(), warnings_.begin(), warnings_.end());
  return all;
}

}  // namespace mailscout
