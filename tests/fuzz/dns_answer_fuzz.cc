// Fuzz target: SRV and MX answers as they come off the wire.
#include <cstddef>
#include <cstdint>

#include "dns/answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;
  const int length = static_cast<int>(size);
  auto srv = mailscout::ParseSrvAnswer(data, length);
  if (srv.ok() && srv->size() > mailscout::kMaxRecordsPerAnswer) __builtin_trap();
  auto mx = mailscout::ParseMxAnswer(data, length);
  if (mx.ok()) {
    if (mx->size() > mailscout::kMaxRecordsPerAnswer) __builtin_trap();
    for (size_t i = 1; i < mx->size(); ++i) {
      if ((*mx)[i - 1].preference > (*mx)[i].preference) __builtin_trap();
    }
  }
  return 0;
}
