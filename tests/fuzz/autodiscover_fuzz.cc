// Fuzz target: Outlook Autodiscover POX responses (settings, redirectAddr,
// redirectUrl, errors) from any web server.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "discover/autodiscover.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailscout;
  auto response = ParseAutodiscover(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!response.ok()) return 0;
  using Action = AutodiscoverResponse::Action;
  if (response->action == Action::kRedirectUrl && response->redirect_url.empty()) __builtin_trap();
  if (response->action == Action::kRedirectAddr && response->redirect_addr.empty()) {
    __builtin_trap();
  }
  return 0;
}
