#include "discover/provider_db.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
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

}  // namespace

// One item of Load()'s work, in order: a file to parse, or a warning
// (a missing directory, an unreadable file).
class ProviderDb::Files {
 public:
  struct Item {
    std::string origin;         // the file
    std::string data;           // its contents
    std::string search;         // SearchText(data)
    bool always_parse = false;  // see SearchText()
    std::string warning;        // set for a warning item (no file)
    // Filled by Parse(), under parsed:
    std::once_flag parsed;
    std::vector<std::shared_ptr<const ProviderEntry>> entries;
    std::map<std::string, std::shared_ptr<const ProviderEntry>, std::less<>> by_domain;
    std::vector<std::string> warnings;
  };

  Files() = default;
  ~Files() {
    stop_ = true;
    if (worker_.joinable()) worker_.join();
  }
  Files(const Files&) = delete;
  Files& operator=(const Files&) = delete;

  void AddWarning(std::string warning) {
    items_.push_back(std::make_unique<Item>());
    items_.back()->warning = std::move(warning);
  }
  void AddFile(std::string origin, std::string data) {
    auto item = std::make_unique<Item>();
    item->origin = std::move(origin);
    item->search = SearchText(data, &item->always_parse);
    item->data = std::move(data);
    items_.push_back(std::move(item));
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

  void AppendWarnings(std::vector<std::string>* out) const {
    for (auto& item : items_) {
      if (!item->warning.empty()) {
        out->push_back(item->warning);
        continue;
      }
      Parse(*item);
      out->insert(out->end(), item->warnings.begin(), item->warnings.end());
    }
  }

 private:
  static void Parse(Item& item) {
    if (!item.warning.empty()) return;
    std::call_once(item.parsed, [&item] {
      Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(item.data);
      if (!parsed.ok()) {
        item.warnings.push_back(item.origin + ": " + parsed.error().message);
        return;
      }
      for (auto& config : parsed.value()) {
        auto entry = std::make_shared<ProviderEntry>();
        entry->config = std::move(config);
        entry->origin = item.origin;
        for (const auto& domain : entry->config.domains) {
          Result<std::string> ascii = ToAsciiDomain(domain);
          if (!ascii.ok()) {
            item.warnings.push_back(entry->origin + ": domain '" + domain +
                                    "' ignored: " + ascii.error().message);
            continue;
          }
          item.by_domain.emplace(ascii.value(), entry);  // an earlier entry wins
        }
        item.entries.push_back(std::move(entry));
      }
    });
  }

  std::vector<std::unique_ptr<Item>> items_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

std::string ProviderDb::BundledDir() { return FindDataDir(DataDir::kProviders); }

Result<ProviderDb> ProviderDb::Load(const std::vector<std::string>& dirs, bool allow_missing_last) {
  auto files = std::make_shared<Files>();
  for (size_t i = 0; i < dirs.size(); ++i) {
    const fs::path dir(dirs[i]);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      std::string message = "the provider directory " + dirs[i] + " does not exist";
      if (allow_missing_last && i + 1 == dirs.size()) {
        files->AddWarning(message + "; only --providers directories are used");
        continue;
      }
      return Error::Make(ErrorKind::kProtocol, message);
    }
    std::vector<fs::path> paths;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".xml" && it->is_regular_file(ec)) paths.push_back(it->path());
    }
    if (ec) {
      return Error::Make(ErrorKind::kProtocol,
                         "cannot read the provider directory " + dirs[i] + ": " + ec.message());
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
      Result<std::string> data = ReadBounded(path, kMaxClientConfigBytes);
      if (!data.ok()) {
        files->AddWarning(data.error().message);
        continue;
      }
      files->AddFile(path.string(), std::move(data.value()));
    }
  }
  files->StartBackground();
  ProviderDb db;
  db.files_ = std::move(files);
  db.all_warnings_once_ = std::make_shared<std::once_flag>();
  return db;
}

void ProviderDb::Add(ProviderConfig config, std::string origin) {
  all_warnings_ = nullptr;  // warnings() makes it again
  all_warnings_once_ = std::make_shared<std::once_flag>();
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
  if (files_ != nullptr) {
    if (const ProviderEntry* entry = files_->Find(domain)) return entry;
  }
  auto it = by_domain_.find(domain);
  return it == by_domain_.end() ? nullptr : it->second.get();
}

size_t ProviderDb::size() const {
  return (files_ != nullptr ? files_->size() : 0) + entries_.size();
}

const std::vector<std::string>& ProviderDb::warnings() const {
  if (files_ == nullptr) return warnings_;
  std::call_once(*all_warnings_once_, [this] {
    auto all = std::make_shared<std::vector<std::string>>();
    files_->AppendWarnings(all.get());
    all->insert(all->end(), warnings_.begin(), warnings_.end());
    all_warnings_ = std::move(all);
  });
  return *all_warnings_;
}

}  // namespace mailscout
