// DNS SRV for mail (RFC 6186, RFC 8314): the six service names, their
// protocol and security, and RFC 2782 ordering.
//
// Pure functions; OrderSrv takes its random numbers from the caller so tests
// are repeatable. Thread-safe.
#ifndef MAILSCOUT_DISCOVER_SRV_H_
#define MAILSCOUT_DISCOVER_SRV_H_

#include <array>
#include <random>
#include <string>
#include <vector>

#include "core/types.h"
#include "dns/resolver.h"

namespace mailscout {

struct SrvService {
  const char* label;  // "_imaps._tcp"
  Protocol protocol;
  Security security;
};

// In RFC 8314 preference order: implicit TLS before STARTTLS.
inline constexpr std::array<SrvService, 6> kSrvServices = {{
    {"_submissions._tcp", Protocol::kSmtp, Security::kTls},
    {"_submission._tcp", Protocol::kSmtp, Security::kStartTls},
    {"_imaps._tcp", Protocol::kImap, Security::kTls},
    {"_imap._tcp", Protocol::kImap, Security::kStartTls},
    {"_pop3s._tcp", Protocol::kPop3, Security::kTls},
    {"_pop3._tcp", Protocol::kPop3, Security::kStartTls},
}};

// RFC 2782 order: ascending priority; within one priority, a weighted
// random permutation (records of weight 0 first in the running sum, so they
// are picked only rarely when others have weight). Records whose target is
// "." are dropped; use IsNotOffered() first to see whether that was all.
std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records, std::mt19937& random);

// Same, with a generator seeded from std::random_device.
std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records);

// RFC 2782: a single record with target "." means the service is decidedly
// not available at this domain.
bool IsNotOffered(const std::vector<SrvRecord>& records);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_SRV_H_
