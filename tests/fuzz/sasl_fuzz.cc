// Fuzz target: SASL server challenges (SCRAM server-first and server-final,
// CRAM-MD5, LOGIN prompts, OAUTHBEARER error JSON) fed to every mechanism.
// Input: first byte picks the mechanism; the rest is split on '\n' into
// successive challenges; the last part is the success data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/sasl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mailscout;
  if (size == 0) return 0;
  const auto& all = SupportedMechanisms();
  SaslMechanism m = all[data[0] % all.size()];
  SaslCredentials credentials{"user", "pencil", "token-123", ""};
  auto client = MakeSaslClient(m, credentials, "rOprNGfwEbeRWgbNEkqO");
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() < 8) {
    size_t lf = rest.find('\n', start);
    parts.push_back(rest.substr(start, lf == std::string::npos ? std::string::npos : lf - start));
    if (lf == std::string::npos) break;
    start = lf + 1;
  }
  (void)client->InitialResponse();
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (!client->Respond(parts[i]).ok()) return 0;
  }
  (void)client->Finish(parts.back());
  return 0;
}
