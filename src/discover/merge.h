// Merging, ranking and trust warnings for discovered candidates.
//
// Sources are ranked (SourceRank) in the order their word is trusted:
// providers, autoconfig, well-known, ispdb, autodiscover, srv, mx, guess.
// MergeCandidates() folds candidates naming the same protocol, host, port
// and security into one: the best one (trust, then source rank, then its
// order inside the source) is kept, the other sources go to also_from, and a
// missing username or auth list is filled from the others. The result is
// ordered IMAP, POP3, SMTP and best first within each protocol.
// Pure functions; thread-safe.
#ifndef MAILSCOUT_DISCOVER_MERGE_H_
#define MAILSCOUT_DISCOVER_MERGE_H_

#include <optional>
#include <string>
#include <vector>

#include "core/email_address.h"
#include "core/model.h"

namespace mailscout {

// 0 for providers ... 7 for guess.
int SourceRank(Source source);

std::vector<ServerCandidate> MergeCandidates(std::vector<ServerCandidate> all);

// One warning per host outside the address's registrable domain whose best
// source reached it over an unauthenticated hop (plain DNS or http), naming
// both domains, e.g. "imap.mailhost.example (SRV _imaps._tcp.example.com)
// is outside example.com and was found over plain DNS ...".
std::vector<std::string> TrustWarnings(const std::vector<ServerCandidate>& merged,
                                       const EmailAddress& address);

// A warning when the provider needs an app password or OAuth2; nullopt for
// "password".
std::optional<std::string> LoginPolicyWarning(const ProviderInfo& provider,
                                              const EmailAddress& address);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_MERGE_H_
