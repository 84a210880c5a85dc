#include "cli/discovery_options.h"

#include <iostream>

#include "discover/provider_db.h"
#include "report/discovery_text.h"

namespace mailscout {
namespace {

Error Usage(std::string message) { return Error::Make(ErrorKind::kUsage, std::move(message)); }

Result<int64_t> Seconds(const ParsedArgs& args, const std::string& name, int64_t fallback,
                        double max_seconds) {
  std::optional<std::string> text = args.Get(name);
  if (!text) return fallback;
  std::optional<long> ms = ParseSecondsToMs(*text, max_seconds);
  if (!ms) {
    return Usage("--" + name + " must be a number of seconds greater than 0 (at most " +
                 std::to_string(static_cast<int>(max_seconds)) + ")");
  }
  return static_cast<int64_t>(*ms);
}

}  // namespace

std::vector<OptionSpec> DiscoveryOptionSpecs() {
  return {
      {"offline", 0, "", "use only the bundled database and --providers; no network at all"},
      {"providers", 0, "DIR",
       "also read ISPDB-format provider files from DIR (consulted before the bundled ones)", true},
      {"no-guess", 0, "", "do not guess and probe host names (imap., mail., smtp., ...)"},
      {"guess-always", 0, "", "guess even for protocols another source already answered"},
      {"all-sources", 0, "", "wait for every source instead of stopping once the answer is clear"},
      {"skip", 0, "SOURCE",
       "do not ask SOURCE (ispdb, autoconfig, well-known, mx, srv, autodiscover, guess)", true},
      {"no-http", 0, "", "never fetch autoconfig over plain http"},
      {"dns-server", 0, "HOST[:PORT]", "ask this DNS server instead of /etc/resolv.conf", true},
      {"ca-file", 0, "PEM", "also trust the CA certificates in this file"},
      {"timeout", 0, "SECONDS", "limit for the whole discovery (default 20)"},
      {"ispdb-url", 0, "URL",
       std::string("ISPDB prefix, the domain is appended (default ") + kDefaultIspdbUrl + ")"},
      {"http-timeout", 0, "SECONDS", "limit for one HTTP request (default 5)"},
      {"dns-timeout", 0, "SECONDS", "limit for one DNS question (default 3)"},
      {"probe-timeout", 0, "SECONDS", "limit for one guess probe (default 5)"},
  };
}

Result<DiscoveryCliConfig> DiscoveryConfigFromArgs(const ParsedArgs& args) {
  DiscoveryCliConfig config;
  DiscoveryOptions& d = config.stack.discovery;
  d.offline = args.Has("offline");
  d.guess = !args.Has("no-guess");
  d.guess_always = args.Has("guess-always");
  d.wait_for_all = args.Has("all-sources");
  d.http_fallback = !args.Has("no-http");
  for (const auto& name : args.GetAll("skip")) {
    std::optional<Source> source = ParseSource(name);
    if (!source || *source == Source::kProviders) {
      return Usage(
          "--skip needs one of ispdb, autoconfig, well-known, mx, srv, autodiscover, "
          "guess (not '" +
          name + "')");
    }
    d.skip.insert(*source);
  }
  if (auto url = args.Get("ispdb-url")) {
    if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
      return Usage("--ispdb-url must start with https:// or http://");
    }
    d.ispdb_url = *url;
  }
  Result<int64_t> total = Seconds(args, "timeout", kDefaultDiscoveryTimeoutMs, 600);
  if (!total.ok()) return total.error();
  config.timeout_ms = total.value();
  Result<int64_t> http = Seconds(args, "http-timeout", d.http_timeout_ms, 120);
  if (!http.ok()) return http.error();
  d.http_timeout_ms = http.value();
  Result<int64_t> dns = Seconds(args, "dns-timeout", d.dns_timeout_ms, 120);
  if (!dns.ok()) return dns.error();
  d.dns_timeout_ms = dns.value();
  Result<int64_t> probe = Seconds(args, "probe-timeout", d.probe_timeout_ms, 120);
  if (!probe.ok()) return probe.error();
  d.probe_timeout_ms = probe.value();

  config.stack.resolver.servers = args.GetAll("dns-server");
  // Keep c-ares's own retries inside the DNS deadline.
  config.stack.resolver.try_timeout_ms =
      static_cast<int>(std::max<int64_t>(d.dns_timeout_ms / 3, 200));
  config.stack.tls.ca_file = args.GetOr("ca-file", "");
  config.stack.provider_dirs = args.GetAll("providers");
  config.stack.provider_dirs.push_back(ProviderDb::BundledDir());
  return config;
}

void ShowDiscoveryProgress(const std::vector<SourceStatus>& sources) {
  std::string line = ProgressLine(sources);
  if (line.size() > 150) line = line.substr(0, 147) + "...";
  std::cerr << "\r\033[K" << line << std::flush;
}

void ClearDiscoveryProgress() { std::cerr << "\r\033[K" << std::flush; }

}  // namespace mailscout
