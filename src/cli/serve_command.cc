// `mailscout serve`: the autoconfiguration service (Thunderbird autoconfig,
// the ISPDB mirror, Outlook POX and Autodiscover v2, Apple profiles) and,
// with --helpdesk, the helpdesk page; `--print-dns DOMAIN` prints the DNS
// records to publish. The site is a folder of ISPDB-format files
// (serve/site.h); SIGHUP reloads it. serve/answers.h decides every answer,
// serve/server.h moves the bytes, this file wires them and writes the access
// log (docs/serve.md).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/cli_util.h"
#include "cli/command.h"
#include "cli/discovery_options.h"
#include "cli/exit_status.h"
#include "core/email_address.h"
#include "core/install_paths.h"
#include "serve/answers.h"
#include "serve/lookups.h"
#include "serve/server.h"
#include "serve/site.h"

namespace mailscout {
namespace {

int UsageError(const std::string& message) { return CommandUsageError("serve", message); }

std::vector<OptionSpec> Options() {
  std::vector<OptionSpec> options = {
      {"providers", 0, "DIR", "the site: a folder of ISPDB-format clientConfig files (required)"},
      {"listen", 0, "ADDR:PORT", "serve plain HTTP here (default 127.0.0.1:8080)", true},
      {"tls-listen", 0, "ADDR:PORT", "serve HTTPS here, with --tls-cert and --tls-key", true},
      {"tls-cert", 0, "PEM", "the HTTPS certificate (with its chain)"},
      {"tls-key", 0, "PEM", "the HTTPS private key"},
      {"sign-cert", 0, "PEM", "sign Apple profiles with this certificate (CMS)"},
      {"sign-key", 0, "PEM", "the signing certificate's private key"},
      {"sign-chain", 0, "PEM", "intermediate certificates to include in signed profiles"},
      {"helpdesk", 0, "", "serve the helpdesk page at /"},
      {"lookups", 0, "",
       "helpdesk: answer domains outside the site by discovery and checks (never a login)"},
      {"lookup-limit", 0, "N", "lookups at once per client IP (default 2; 4 more wait, then 429)"},
      {"base-url", 0, "URL",
       "this service's public URL, e.g. https://autodiscover.example.com (default: from Host)"},
      {"max-connections", 0, "N", "open client connections at most (default 10000)"},
      {"threads", 0, "N", "event loops (default: one per core, at most 4)"},
      {"header-timeout", 0, "SECONDS",
       "a request (head and body) must arrive within this (default 10)"},
      {"idle-timeout", 0, "SECONDS", "close a keep-alive connection idle this long (default 15)"},
      {"access-log", 0, "FILE", "write the access log here instead of standard error ('-' off)"},
      {"web-dir", 0, "DIR", "the helpdesk page's files (default: the installed ones)"},
      {"print-dns", 0, "DOMAIN", "print the DNS records to publish for DOMAIN and exit"},
      {"phase-timeout", 0, "SECONDS", "lookups: limit for each step of a check (default 5)"},
  };
  for (OptionSpec& spec : DiscoveryOptionSpecs()) {
    const std::string& n = spec.name;
    if (n == "dns-server" || n == "ca-file" || n == "ispdb-url" || n == "no-guess" ||
        n == "http-timeout" || n == "dns-timeout" || n == "probe-timeout") {
      options.push_back(std::move(spec));
    } else if (n == "timeout") {
      spec.help = "lookups: limit for the whole lookup (default 30)";
      options.push_back(std::move(spec));
    }
  }
  return options;
}

std::string WebDir(const ParsedArgs& args) {
  if (auto dir = args.Get("web-dir")) return *dir;
  return FindDataDir(DataDir::kWeb);  // $MAILSCOUT_WEB_DIR, the install prefix, the source tree
}

Result<std::map<std::string, std::string>> LoadAssets(const std::string& dir) {
  std::map<std::string, std::string> assets;
  for (const char* name : {"page.html", "helpdesk.css", "helpdesk.js"}) {
    std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
    if (!in) {
      return Error::Make(ErrorKind::kUsage, "the helpdesk page's file " + dir + "/" + name +
                                                " is missing (--web-dir)");
    }
    std::ostringstream text;
    text << in.rdbuf();
    assets[name] = text.str();
  }
  return assets;
}

// ---- --print-dns ----

std::string ServiceLabel(Protocol p, Security s) {
  switch (p) {
    case Protocol::kImap:
      return s == Security::kTls ? "_imaps" : "_imap";
    case Protocol::kPop3:
      return s == Security::kTls ? "_pop3s" : "_pop3";
    case Protocol::kSmtp:
      return s == Security::kTls ? "_submissions" : "_submission";
  }
  return "_imap";
}

int PrintDns(const Site& site, const std::string& domain_text, const std::string& base_url) {
  Result<std::string> domain = ToAsciiDomain(domain_text);
  if (!domain.ok()) return UsageError("--print-dns: " + domain.error().message);
  const SiteProvider* provider = site.Find(domain.value());
  if (provider == nullptr) {
    return UsageError("--print-dns: the site does not serve " + domain.value());
  }
  const std::string d = domain.value() + ".";
  std::cout << "; DNS records for " << domain.value() << ", from " << provider->path << "\n";
  if (!provider->redirect_domain.empty()) {
    std::cout << "; addresses of this domain are redirected to @" << provider->redirect_domain
              << "; publish that domain's records\n";
  }
  std::string service_host;
  if (!base_url.empty()) {
    std::string rest =
        base_url.substr(base_url.find("://") == std::string::npos ? 0 : base_url.find("://") + 3);
    service_host = rest.substr(0, rest.find_first_of(":/"));
  }
  if (provider->redirect_domain.empty()) {
    Result<EmailAddress> sample = EmailAddress::Parse("user@" + domain.value());
    SiteSettings settings = SettingsFor(*provider, sample.value());
    std::vector<Setting> all = settings.incoming;
    all.insert(all.end(), settings.outgoing.begin(), settings.outgoing.end());
    std::cout << "; mail services (RFC 6186, RFC 8314); '.' means the service is not offered\n";
    for (Protocol p : {Protocol::kImap, Protocol::kPop3, Protocol::kSmtp}) {
      for (Security s : {Security::kTls, Security::kStartTls}) {
        std::string label = ServiceLabel(p, s) + "._tcp." + d;
        int priority = 0;
        bool any = false;
        for (const Setting& setting : all) {
          bool same_kind = setting.protocol == p &&
                           (setting.security == s ||
                            (s == Security::kStartTls && setting.security == Security::kPlain));
          if (!same_kind) continue;
          if (setting.host.find('%') != std::string::npos) continue;
          std::cout << label << " 3600 IN SRV " << priority << " 1 " << setting.port << " "
                    << setting.host << ".\n";
          priority += 10;
          any = true;
        }
        if (!any) std::cout << label << " 3600 IN SRV 0 0 0 .\n";
      }
    }
  }
  std::cout << "; Outlook Autodiscover\n";
  std::string target = service_host.empty() ? "autodiscover." + d : service_host + ".";
  std::cout << "_autodiscover._tcp." << d << " 3600 IN SRV 0 0 443 " << target << "\n";
  std::cout << "; autoconfig (Thunderbird, Delta Chat, K-9) and autodiscover host names\n";
  if (service_host.empty()) {
    std::cout
        << "; point these at the address this service listens on (or CNAME them to its name;\n"
           "; --base-url https://NAME makes this command print the CNAMEs)\n"
        << "autoconfig." << d << " 3600 IN A    192.0.2.1 ; replace with this service's address\n"
        << "autodiscover." << d
        << " 3600 IN A    192.0.2.1 ; replace with this service's address\n";
  } else {
    for (const char* name : {"autoconfig.", "autodiscover."}) {
      if (service_host == name + domain.value()) continue;  // the service itself: an A record
      std::cout << name << d << " 3600 IN CNAME " << service_host << ".\n";
    }
  }
  return kExitOk;
}

// ---- the access log ----

std::string Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// "a***@example.com": enough for a helpdesk to match a call to a line,
// not enough to harvest addresses from the log.
std::string MaskAddress(const std::string& address) {
  size_t at = address.rfind('@');
  if (address.empty()) return "";
  if (at == std::string::npos) return "***";
  std::string local = address.substr(0, at);
  return (local.empty() ? "" : local.substr(0, 1)) + "***" + address.substr(at);
}

class AccessLog {
 public:
  explicit AccessLog(std::ostream* out) : out_(out) {}
  void Write(const ServeRequest& request, const ServeResponse& response, const ConnectionInfo& info,
             double seconds) {
    if (out_ == nullptr) return;
    std::string path = request.path.empty() ? "-" : request.path;
    // The ADDR of /autodiscover/autodiscover.json/v1.0/ADDR is an address too.
    size_t at = path.find('@');
    if (at != std::string::npos)
      path = path.substr(0, path.rfind('/', at) + 1) +
             MaskAddress(path.substr(path.rfind('/', at) + 1));
    if (path.size() > 200) path = path.substr(0, 200) + "...";
    std::string line = "{\"time\":\"" + Now() + "\",\"peer\":" + JsonQuote(info.peer) +
                       ",\"tls\":" + (info.tls ? "true" : "false") +
                       ",\"method\":" + JsonQuote(request.method.empty() ? "-" : request.method) +
                       ",\"path\":" + JsonQuote(path) +
                       ",\"endpoint\":" + JsonQuote(response.endpoint) +
                       ",\"status\":" + std::to_string(response.status) +
                       ",\"bytes\":" + std::to_string(response.body.size()) +
                       ",\"ms\":" + std::to_string(seconds * 1000.0) +
                       ",\"address\":" + JsonQuote(MaskAddress(RequestAddress(request))) + "}\n";
    std::lock_guard<std::mutex> lock(mu_);
    *out_ << line;
    out_->flush();
  }

 private:
  std::mutex mu_;
  std::ostream* out_;
};

int Run(const ParsedArgs& args) {
  if (!args.positionals().empty()) return UsageError("serve takes no address; see --help");
  std::optional<std::string> dir = args.Get("providers");
  if (!dir) return UsageError("--providers DIR (the site's folder of ISPDB files) is required");
  Result<std::shared_ptr<const Site>> loaded = Site::Load(*dir);
  if (!loaded.ok()) {
    std::cerr << "mailscout serve: " << loaded.error().message << "\n";
    return kExitUsage;
  }
  if (auto domain = args.Get("print-dns"))
    return PrintDns(*loaded.value(), *domain, args.GetOr("base-url", ""));

  auto options = std::make_shared<ServeOptions>();
  options->helpdesk = args.Has("helpdesk");
  options->lookups = args.Has("lookups");
  if (options->lookups && !options->helpdesk) return UsageError("--lookups needs --helpdesk");
  options->base_url = args.GetOr("base-url", "");
  while (!options->base_url.empty() && options->base_url.back() == '/')
    options->base_url.pop_back();
  if (!options->base_url.empty() && options->base_url.rfind("https://", 0) != 0 &&
      options->base_url.rfind("http://", 0) != 0) {
    return UsageError("--base-url must start with https:// or http://");
  }
  if (args.Has("sign-cert") != args.Has("sign-key")) {
    return UsageError("--sign-cert and --sign-key go together");
  }
  if (args.Has("sign-cert")) {
    Result<ProfileSigner> signer = ProfileSigner::Load(
        *args.Get("sign-cert"), *args.Get("sign-key"), args.GetOr("sign-chain", ""));
    if (!signer.ok()) return UsageError(signer.error().message);
    options->signer = signer.value();
  } else if (args.Has("sign-chain")) {
    return UsageError("--sign-chain needs --sign-cert and --sign-key");
  }
  if (options->helpdesk) {
    Result<std::map<std::string, std::string>> assets = LoadAssets(WebDir(args));
    if (!assets.ok()) return UsageError(assets.error().message);
    options->assets = std::move(assets.value());
  }

  ServerConfig config;
  config.listen = args.GetAll("listen");
  config.tls_listen = args.GetAll("tls-listen");
  if (config.listen.empty() && config.tls_listen.empty()) config.listen.push_back("127.0.0.1:8080");
  if (!config.tls_listen.empty() && (!args.Has("tls-cert") || !args.Has("tls-key"))) {
    return UsageError("--tls-listen needs --tls-cert and --tls-key");
  }
  config.tls_cert = args.GetOr("tls-cert", "");
  config.tls_key = args.GetOr("tls-key", "");
  auto number = [&args](const char* name, int64_t fallback, int64_t max) -> std::optional<int64_t> {
    std::optional<std::string> text = args.Get(name);
    if (!text) return fallback;
    char* end = nullptr;
    long long v = std::strtoll(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || v < 1 || v > max) return std::nullopt;
    return v;
  };
  std::optional<int64_t> max_connections = number("max-connections", 10000, 1000000);
  if (!max_connections) return UsageError("--max-connections must be a number from 1 to 1000000");
  config.max_connections = *max_connections;
  unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  std::optional<int64_t> threads = number("threads", std::min(4U, cores), 64);
  if (!threads) return UsageError("--threads must be a number from 1 to 64");
  config.threads = static_cast<int>(*threads);
  for (auto [name, field] : {std::pair{"header-timeout", &config.header_timeout_ms},
                             std::pair{"idle-timeout", &config.idle_timeout_ms}}) {
    if (auto text = args.Get(name)) {
      std::optional<long> ms = ParseSecondsToMs(*text, 3600);
      if (!ms) return UsageError(std::string("--") + name + " must be a number of seconds");
      *field = *ms;
    }
  }
  std::optional<int64_t> lookup_limit = number("lookup-limit", 2, 64);
  if (!lookup_limit) return UsageError("--lookup-limit must be a number from 1 to 64");

  std::unique_ptr<LookupService> lookups;
  ServeMetrics metrics;
  if (options->lookups) {
    Result<DiscoveryCliConfig> discovery = DiscoveryConfigFromArgs(args);
    if (!discovery.ok()) return UsageError(discovery.error().message);
    LookupConfig lookup;
    lookup.stack = discovery->stack;
    lookup.stack.ledger_path.clear();  // no logins, nothing to remember
    lookup.per_ip = static_cast<int>(*lookup_limit);
    if (args.Has("timeout")) lookup.timeout_ms = discovery->timeout_ms;
    if (auto phase = args.Get("phase-timeout")) {
      std::optional<long> ms = ParseSecondsToMs(*phase, 120);
      if (!ms) return UsageError("--phase-timeout must be a number of seconds (up to 120)");
      lookup.phase_ms = *ms;
    }
    if (!args.Has("probe-timeout")) lookup.stack.discovery.probe_timeout_ms = lookup.phase_ms;
    lookups = std::make_unique<LookupService>(lookup, &metrics);
  }

  std::unique_ptr<std::ofstream> log_file;
  std::ostream* log_out = &std::cerr;
  if (auto path = args.Get("access-log")) {
    if (*path == "-") {
      log_out = nullptr;
    } else {
      log_file = std::make_unique<std::ofstream>(*path, std::ios::app);
      if (!*log_file) return UsageError("cannot write the access log " + *path);
      log_out = log_file.get();
    }
  }
  AccessLog access_log(log_out);

  // Many idle clients are normal for a service: allow as many descriptors as
  // the system lets this process have.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Signals go to this thread only (sigwait below); the loops never see them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::atomic<std::shared_ptr<const Site>> site(loaded.value());
  HttpServer server(
      config,
      [&](const ServeRequest& request, const ConnectionInfo& info) {
        ServeContext context;
        context.site = site.load();
        context.options = options.get();
        context.metrics = &metrics;
        context.tls = info.tls;
        if (request.path == "/metrics") {
          metrics.connections_open = server.open_connections.load();
          metrics.connections_total = server.accepted_connections.load();
          metrics.connections_refused = server.refused_connections.load();
          metrics.connections_timed_out = server.timed_out_connections.load();
        }
        if (lookups && NeedsLookup(request, context)) {
          return lookups->Start(request, info, context, request.path == "/");
        }
        HandlerResult result;
        result.response = Answer(request, context);
        return result;
      },
      [&](const ServeRequest& request, const ServeResponse& response, const ConnectionInfo& info,
          double seconds) {
        metrics.Record(response.endpoint, response.status, seconds);
        access_log.Write(request, response, info, seconds);
      });
  Status started = server.Start();
  if (!started.ok()) {
    std::cerr << "mailscout serve: " << started.error().message << "\n";
    return kExitUsage;
  }
  std::cerr << "mailscout serve: " << loaded.value()->Domains().size() << " domains from "
            << loaded.value()->file_count() << " files in " << *dir
            << (options->helpdesk ? "; helpdesk page at /" : "")
            << (options->lookups ? " with lookups" : "") << "\n";
  for (const std::string& address : server.bound()) {
    std::cerr << "mailscout serve: listening on " << address << "\n";
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      Result<std::shared_ptr<const Site>> reloaded = Site::Load(*dir);
      if (reloaded.ok()) {
        site.store(reloaded.value());
        ++metrics.site_reloads;
        std::cerr << "mailscout serve: reloaded " << *dir << ": "
                  << reloaded.value()->Domains().size() << " domains from "
                  << reloaded.value()->file_count() << " files\n";
      } else {
        ++metrics.site_reload_failures;
        std::cerr << "mailscout serve: reload failed, still serving the previous site: "
                  << reloaded.error().message << "\n";
      }
      continue;
    }
    std::cerr << "mailscout serve: stopping\n";
    server.Stop();
    FinishProcess(kExitOk);
  }
}

}  // namespace

Command MakeServeCommand() {
  Command command;
  command.name = "serve";
  command.summary =
      "serve autoconfig, Autodiscover and Apple profiles from a site folder; helpdesk page";
  command.usage =
      "mailscout serve --providers DIR [--listen ADDR:PORT]... [--tls-listen ADDR:PORT]...\n"
      "                [--tls-cert PEM --tls-key PEM] [--sign-cert PEM --sign-key PEM\n"
      "                [--sign-chain PEM]] [--helpdesk [--lookups]]\n"
      "       mailscout serve --providers DIR --print-dns DOMAIN";
  command.options = Options();
  command.details =
      "Answers mail clients' own configuration requests from the site, a folder of\n"
      "ISPDB-format files (one clientConfig per provider, its <domain> list and the\n"
      "%EMAILADDRESS% / %EMAILLOCALPART% placeholders; write them by hand or with\n"
      "'mailscout setup ADDRESS --format thunderbird -o site/DOMAIN.xml'):\n"
      "  GET  /mail/config-v1.1.xml?emailaddress=A   Thunderbird, Delta Chat, K-9\n"
      "  GET  /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=A\n"
      "  GET  /v1.1/DOMAIN                            an ISPDB mirror (--ispdb-url)\n"
      "  POST /autodiscover/autodiscover.xml          Outlook (POX)\n"
      "  GET  /autodiscover/autodiscover.json/v1.0/A?Protocol=AutodiscoverV1  new Outlook\n"
      "  GET  /mobileconfig?emailaddress=A            Apple profile (signed with --sign-*)\n"
      "  GET  /healthz, /metrics (Prometheus)\n"
      "Every address of a served domain gets the domain's answer; other domains get\n"
      "404. A malformed file stops the start with its path and line; SIGHUP reloads\n"
      "the folder, and a bad reload keeps the previous site. The service keeps no\n"
      "state between requests: run identical replicas behind a load balancer, all\n"
      "reading the same site folder.\n\n"
      "--helpdesk adds a page at / for helpdesk staff: type an address, get the card\n"
      "and a file for the user's mail program. With --lookups, domains outside the\n"
      "site are looked up live (discovery and checks, never a login; the service\n"
      "never sees a password).\n";
  command.run = Run;
  return command;
}

}  // namespace mailscout
