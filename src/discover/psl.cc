#include "discover/psl.h"

#include <libpsl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace mailscout {
namespace {

struct PslDeleter {
  void operator()(psl_ctx_t* ctx) const { psl_free(ctx); }
};
using PslPtr = std::unique_ptr<psl_ctx_t, PslDeleter>;

// Loaded once (thread-safe static initialisation); psl_latest(NULL) picks
// the newest of the system file and the built-in list. The built-in list is
// never freed by libpsl's contract, so only a loaded one is owned.
const psl_ctx_t* Context() {
  static const PslPtr loaded(psl_latest(nullptr));
  static const psl_ctx_t* ctx = loaded ? loaded.get() : psl_builtin();
  return ctx;
}

std::string Normalise(std::string_view host) {
  std::string s(host);
  while (!s.empty() && s.back() == '.') s.pop_back();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string RegistrableDomain(std::string_view host) {
  std::string name = Normalise(host);
  if (name.empty() || name.find('\0') != std::string::npos) return {};
  const psl_ctx_t* ctx = Context();
  if (ctx == nullptr) {
    // No list at all: fall back to the last two labels.
    size_t last = name.rfind('.');
    if (last == std::string::npos) return {};
    size_t prev = name.rfind('.', last - 1);
    return prev == std::string::npos ? name : name.substr(prev + 1);
  }
  const char* result = psl_registrable_domain(ctx, name.c_str());
  return result == nullptr ? std::string() : std::string(result);
}

std::string ParentDomain(std::string_view host) {
  std::string name = Normalise(host);
  size_t dot = name.find('.');
  if (dot == std::string::npos) return {};
  return name.substr(dot + 1);
}

bool IsWithin(std::string_view host, std::string_view domain) {
  std::string h = Normalise(host);
  std::string d = Normalise(domain);
  if (d.empty()) return false;
  if (h == d) return true;
  return h.size() > d.size() && h.compare(h.size() - d.size(), d.size(), d) == 0 &&
         h[h.size() - d.size() - 1] == '.';
}

}  // namespace mailscout
