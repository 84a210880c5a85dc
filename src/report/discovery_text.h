// Human-readable form of a DiscoveryResult for `mailscout discover`: the
// servers found per protocol with their origin and trust, warnings, and what
// each source did. Pure functions, thread-safe.
#ifndef MAILSCOUT_REPORT_DISCOVERY_TEXT_H_
#define MAILSCOUT_REPORT_DISCOVERY_TEXT_H_

#include <string>
#include <vector>

#include "core/model.h"

namespace mailscout {

// The whole report, ending in a newline.
std::string DiscoveryToText(const DiscoveryResult& result);

// One line per candidate: "imap.example.com port 993, SSL/TLS".
std::string DescribeCandidate(const ServerCandidate& candidate);

// A single progress line: "discovering: waiting for autodiscover 1.2 s, srv 0.3 s".
// Empty when nothing is running.
std::string ProgressLine(const std::vector<SourceStatus>& sources);

}  // namespace mailscout

#endif  // MAILSCOUT_REPORT_DISCOVERY_TEXT_H_
