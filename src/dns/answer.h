// Parsing of raw DNS answers (SRV, MX) as c-ares hands them over, and what a
// failed lookup means (LookupError: the one place that turns a c-ares status
// into an Error with its DnsOutcome, so no caller reads messages).
//
// Separate from the resolver so the untrusted bytes of a DNS answer can be
// fuzzed, and the status mapping tested, without a network (tests/fuzz,
// tests/unit/dns). Pure functions, thread-safe.
#ifndef MAILSCOUT_DNS_ANSWER_H_
#define MAILSCOUT_DNS_ANSWER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "dns/resolver.h"

namespace mailscout {

// At most this many records are kept from one answer; the rest are dropped,
// so a hostile zone with thousands of records cannot balloon memory.
inline constexpr size_t kMaxRecordsPerAnswer = 256;

// Errors: kDns (DnsOutcome::kResolverFailure) with c-ares' reason when the
// answer is malformed.
Result<std::vector<SrvRecord>> ParseSrvAnswer(const unsigned char* answer, int length);
// Sorted by preference, lowest first.
Result<std::vector<MxRecord>> ParseMxAnswer(const unsigned char* answer, int length);

// What a failed lookup's c-ares status (ARES_*) means:
//   ARES_ENOTFOUND                      kNxDomain (the name does not exist)
//   ARES_ENODATA                        kNoRecords (no record of the asked type)
//   ARES_ETIMEOUT, ARES_EBADNAME,       nullopt (a timeout is not a DNS answer;
//   ARES_SUCCESS                        an invalid name was never asked)
//   anything else (ARES_ESERVFAIL,      kResolverFailure (the DNS server failed,
//   ARES_EREFUSED, ARES_ECONNREFUSED,   refused, could not be reached or sent
//   ARES_EBADRESP, ARES_EFORMERR, ...)  garbage)
std::optional<DnsOutcome> DnsOutcomeOf(int ares_status);

// The Error for a failed lookup of `name` for `what` records ("address",
// "SRV", "MX") from its c-ares status (not ARES_SUCCESS): kTimeout for
// ARES_ETIMEOUT, else kDns with Error::dns = DnsOutcomeOf(status). Every
// error has Phase::kResolve and a message naming `name`.
Error LookupError(int ares_status, const std::string& name, std::string_view what);

}  // namespace mailscout

#endif  // MAILSCOUT_DNS_ANSWER_H_
