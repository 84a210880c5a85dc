// The command-line options of discovery, shared by `discover` and `setup`,
// so both commands behave the same way for --offline, --providers,
// --no-guess, --dns-server, --ca-file, --timeout, --ispdb-url and the
// per-source deadlines.
//
// DiscoveryOptionSpecs() goes into a Command's option table;
// DiscoveryConfigFromArgs() validates the parsed values (errors are usage
// errors: exit status 2) into the StackConfig that engine/stack.h builds
// the objects from.
#ifndef MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_
#define MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "cli/args.h"
#include "core/result.h"
#include "engine/stack.h"

namespace mailscout {

inline constexpr int64_t kDefaultDiscoveryTimeoutMs = 20000;

// --offline, --providers DIR..., --no-guess, --guess-always, --all-sources,
// --skip SOURCE..., --no-http, --dns-server HOST[:PORT]..., --ca-file PEM,
// --timeout SECONDS, --ispdb-url URL, --http-timeout, --dns-timeout,
// --probe-timeout. (A command that has its own --timeout or --ca-file can
// drop ours from the list; DiscoveryConfigFromArgs reads them by name.)
std::vector<OptionSpec> DiscoveryOptionSpecs();

struct DiscoveryCliConfig {
  StackConfig stack;  // resolver, TLS, discovery options, provider folders
  int64_t timeout_ms = kDefaultDiscoveryTimeoutMs;  // --timeout: the whole run
};

// Errors (kUsage, a one-line message): a bad number, an unknown --skip
// name, an --ispdb-url that is not http(s).
Result<DiscoveryCliConfig> DiscoveryConfigFromArgs(const ParsedArgs& args);

// Progress on a terminal, for `discover` and `setup`: ShowDiscoveryProgress
// writes the one-line summary of `sources` (ProgressLine,
// report/discovery_text.h; cut to 150 characters) over the current line of
// standard error; ClearDiscoveryProgress blanks that line. Not
// synchronised: a caller that prints from several threads holds its own
// lock.
void ShowDiscoveryProgress(const std::vector<SourceStatus>& sources);
void ClearDiscoveryProgress();

}  // namespace mailscout

#endif  // MAILSCOUT_CLI_DISCOVERY_OPTIONS_H_
