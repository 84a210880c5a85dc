#include "discover/provider_db.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/email_address.h"

namespace mailscout {
namespace {

namespace fs = std::filesystem;

// Reads at most limit + 1 bytes so an oversized file is noticed cheaply.
Result<std::string> ReadBounded(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Make(ErrorKind::kProtocol, "cannot read " + path.string());
  std::string data(limit + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

}  // namespace

std::string ProviderDb::BundledDir() {
  if (const char* env = std::getenv("MAILSCOUT_PROVIDERS_DIR"); env != nullptr && *env != 0) {
    return env;
  }
#ifdef MAILSCOUT_PROVIDERS_DIR
  return MAILSCOUT_PROVIDERS_DIR;
#else
  return "providers";
#endif
}

Result<ProviderDb> ProviderDb::Load(const std::vector<std::string>& dirs, bool allow_missing_last) {
  ProviderDb db;
  for (size_t i = 0; i < dirs.size(); ++i) {
    const fs::path dir(dirs[i]);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      std::string message = "the provider directory " + dirs[i] + " does not exist";
      if (allow_missing_last && i + 1 == dirs.size()) {
        db.warnings_.push_back(message + "; only --providers directories are used");
        continue;
      }
      return Error::Make(ErrorKind::kProtocol, message);
    }
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".xml" && it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) {
      return Error::Make(ErrorKind::kProtocol,
                         "cannot read the provider directory " + dirs[i] + ": " + ec.message());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      Result<std::string> data = ReadBounded(file, kMaxClientConfigBytes);
      if (!data.ok()) {
        db.warnings_.push_back(data.error().message);
        continue;
      }
      Result<std::vector<ProviderConfig>> parsed = ParseClientConfig(data.value());
      if (!parsed.ok()) {
        db.warnings_.push_back(file.string() + ": " + parsed.error().message);
        continue;
      }
      for (auto& config : parsed.value()) db.Add(std::move(config), file.string());
    }
  }
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
  auto it = by_domain_.find(domain);
  return it == by_domain_.end() ? nullptr : it->second.get();
}

}  // namespace mailscout
