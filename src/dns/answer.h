// Parsing of raw DNS answers (SRV, MX) as c-ares hands them over.
//
// Separate from the resolver so the untrusted bytes of a DNS answer can be
// fuzzed without a network (tests/fuzz). Pure functions, thread-safe.
#ifndef MAILSCOUT_DNS_ANSWER_H_
#define MAILSCOUT_DNS_ANSWER_H_

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "dns/resolver.h"

namespace mailscout {

// At most this many records are kept from one answer; the rest are dropped,
// so a hostile zone with thousands of records cannot balloon memory.
inline constexpr size_t kMaxRecordsPerAnswer = 256;

// Errors: kDns with c-ares' reason when the answer is malformed.
Result<std::vector<SrvRecord>> ParseSrvAnswer(const unsigned char* answer, int length);
// Sorted by preference, lowest first.
Result<std::vector<MxRecord>> ParseMxAnswer(const unsigned char* answer, int length);

}  // namespace mailscout

#endif  // MAILSCOUT_DNS_ANSWER_H_
