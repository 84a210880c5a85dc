// Internal to discover/: turning clientConfig documents (bundled or fetched)
// into candidates for a source. Used by the autoconfig, well-known, ISPDB
// and MX sources.
#ifndef MAILSCOUT_DISCOVER_CONFIG_FETCH_H_
#define MAILSCOUT_DISCOVER_CONFIG_FETCH_H_

#include <string>

#include "core/types.h"
#include "discover/provider_db.h"
#include "discover/run_state.h"

namespace mailscout {

struct ConfigRequest {
  std::string url;
  Source source = Source::kAutoconfig;
  // Force Trust::kUnauthenticated (e.g. the URL came from an MX record).
  bool unauthenticated = false;
  std::string label;  // how the detail starts, e.g. "MX mx.example.net -> "
  int rank_base = 0;  // added to each candidate's rank
  int provider_rank = 0;
};

// GETs the document (following redirects, never https->http), parses it and
// adds the candidates to task. Returns true when it found any. Problems are
// noted on the task.
bool FetchClientConfig(SourceTask& task, const ConfigRequest& request);

// Adds the candidates of a bundled/--providers entry. Returns true when any.
bool AddProviderEntry(SourceTask& task, const ProviderEntry& entry, Source source, Trust trust,
                      const std::string& label, int rank_base, int provider_rank);

}  // namespace mailscout

#endif  // MAILSCOUT_DISCOVER_CONFIG_FETCH_H_
