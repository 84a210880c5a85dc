// Fuzz target: ISPDB / autoconfig clientConfig XML from any web server,
// then placeholder expansion for an address.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/email_address.h"
#include "discover/client_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailscout;
  static const EmailAddress address = EmailAddress::Parse("alice@example.com").value();
  auto configs = ParseClientConfig(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!configs.ok()) return 0;
  for (const ProviderConfig& config : configs.value()) {
    std::vector<std::string> problems;
    for (const ServerCandidate& c : ExpandServers(config, address, Source::kAutoconfig,
                                                  Trust::kAuthenticated, "fuzz", &problems)) {
      if (c.host.empty() || c.port == 0) __builtin_trap();
    }
  }
  return 0;
}
