#include "dns/answer.h"

#include <ares.h>

#include <algorithm>
#include <string>

namespace mailscout {
namespace {

std::string NormalizeName(const char* name) {
  std::string s = name != nullptr ? name : "";
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

Error Malformed(int rc, const char* what) {
  Error e = Error::Make(ErrorKind::kDns,
                        std::string("The DNS server sent a malformed ") + what + " answer (" +
                            ares_strerror(rc) + ")",
                        {}, Phase::kResolve);
  e.dns = DnsOutcome::kResolverFailure;
  return e;
}

std::string Message(int status, const std::string& name, std::string_view what) {
  switch (status) {
    case ARES_ENOTFOUND:
      return "The name " + name + " does not exist (NXDOMAIN)";
    case ARES_ENODATA:
      return "The name " + name + " has no " + std::string(what) + " records";
    case ARES_ETIMEOUT:
      return "The DNS server did not answer for " + name + " in time";
    case ARES_ESERVFAIL:
      return "The DNS server failed to answer for " + name + " (SERVFAIL)";
    case ARES_EREFUSED:
      return "The DNS server refused to answer for " + name;
    case ARES_ECONNREFUSED:
      return "Could not reach the DNS server (connection refused)";
    case ARES_EBADRESP:
      return "The DNS server sent a malformed answer for " + name;
    case ARES_EBADNAME:
      return "'" + name + "' is not a valid DNS name";
    default:
      return "DNS lookup of " + name + " failed: " + ares_strerror(status);
  }
}

}  // namespace

std::optional<DnsOutcome> DnsOutcomeOf(int ares_status) {
  switch (ares_status) {
    case ARES_SUCCESS:
    case ARES_ETIMEOUT:
    case ARES_EBADNAME:
      return std::nullopt;
    case ARES_ENOTFOUND:
      return DnsOutcome::kNxDomain;
    case ARES_ENODATA:
      return DnsOutcome::kNoRecords;
    default:
      return DnsOutcome::kResolverFailure;
  }
}

Error LookupError(int ares_status, const std::string& name, std::string_view what) {
  const ErrorKind kind = ares_status == ARES_ETIMEOUT ? ErrorKind::kTimeout : ErrorKind::kDns;
  Error e = Error::Make(kind, Message(ares_status, name, what), {}, Phase::kResolve);
  if (kind == ErrorKind::kDns) e.dns = DnsOutcomeOf(ares_status);
  return e;
}

Result<std::vector<SrvRecord>> ParseSrvAnswer(const unsigned char* answer, int length) {
  ares_srv_reply* reply = nullptr;
  int rc = ares_parse_srv_reply(answer, length, &reply);
  if (rc == ARES_ENODATA) return std::vector<SrvRecord>{};
  if (rc != ARES_SUCCESS) return Malformed(rc, "SRV");
  std::vector<SrvRecord> records;
  for (ares_srv_reply* r = reply; r != nullptr && records.size() < kMaxRecordsPerAnswer;
       r = r->next) {
    std::string target = NormalizeName(r->host);
    // RFC 2782: a target of "." means the service is decidedly not available.
    if (target.empty()) target = ".";
    records.push_back({r->priority, r->weight, r->port, target});
  }
  ares_free_data(reply);
  return records;
}

Result<std::vector<MxRecord>> ParseMxAnswer(const unsigned char* answer, int length) {
  ares_mx_reply* reply = nullptr;
  int rc = ares_parse_mx_reply(answer, length, &reply);
  if (rc == ARES_ENODATA) return std::vector<MxRecord>{};
  if (rc != ARES_SUCCESS) return Malformed(rc, "MX");
  std::vector<MxRecord> records;
  for (ares_mx_reply* r = reply; r != nullptr && records.size() < kMaxRecordsPerAnswer;
       r = r->next) {
    records.push_back({r->priority, NormalizeName(r->host)});
  }
  ares_free_data(reply);
  std::stable_sort(records.begin(), records.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference < b.preference;
  });
  return records;
}

}  // namespace mailscout
