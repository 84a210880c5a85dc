// `mailscout discover` in the fake Internet: for every source a domain that
// only that source can answer (unguessable host names, non-standard ports),
// plus SRV ".", MX to a provider, http-only autoconfig, Autodiscover
// redirects, a tarpit next to a good source, an IDN domain and --offline.
// Runs inside tests/world (see CMakeLists.txt for the scenarios).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "report/discovery_json.h"

namespace mailscout {
namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
  int64_t ms = 0;
  DiscoveryResult result;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Logs() {
  const char* logs = std::getenv("WORLD_LOGS");
  return logs != nullptr ? logs : "/nonexistent";
}

CliRun Discover(const std::vector<std::string>& args, bool json = true) {
  std::string cmd = Quote(MAILSCOUT_BINARY) + " discover";
  for (const auto& a : args) cmd += " " + Quote(a);
  if (json) cmd += " --format json";
  const std::string out_file = std::string(std::getenv("WORLD_DIR")) + "/discover.out";
  const std::string err_file = std::string(std::getenv("WORLD_DIR")) + "/discover.err";
  cmd += " >" + out_file + " 2>" + err_file;
  CliRun run;
  const auto start = std::chrono::steady_clock::now();
  int raw = std::system(cmd.c_str());
  run.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
               .count();
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  run.out = ReadFile(out_file);
  run.err = ReadFile(err_file);
  if (json && (run.status == 0 || run.status == 1)) {
    Result<DiscoveryResult> parsed = DiscoveryFromJsonText(run.out);
    EXPECT_TRUE(parsed.ok()) << run.out << run.err;
    if (parsed.ok()) run.result = parsed.value();
  }
  return run;
}

const SourceStatus* Status(const DiscoveryResult& r, const std::string& name) {
  for (const auto& s : r.sources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::vector<std::string> Servers(const DiscoveryResult& r) {
  std::vector<std::string> out;
  for (const auto& c : r.candidates) {
    out.push_back(std::string(ToString(c.protocol)) + " " + c.host + ":" + std::to_string(c.port) +
                  " " + std::string(ToString(c.security)) + " " + std::string(ToString(c.source)) +
                  " " + std::string(ToString(c.trust)));
  }
  return out;
}

// Every candidate came from `source`, and the other sources found nothing.
void ExpectOnly(const CliRun& run, const std::string& slot,
                const std::vector<std::string>& servers) {
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(Servers(run.result), servers) << run.out;
  for (const auto& s : run.result.sources) {
    if (s.name == slot) {
      EXPECT_EQ(s.status, "found") << s.detail;
    } else {
      EXPECT_NE(s.status, "found") << s.name << ": " << s.detail;
    }
  }
}

TEST(DiscoverWorld, AutoconfigHttpsOnly) {
  CliRun run = Discover({"alice@d-ac.example", "--all-sources"});
  ExpectOnly(run, "autoconfig",
             {"imap imap-k3v8.d-ac.example:10993 tls autoconfig authenticated",
              "smtp smtp-k3v8.d-ac.example:10465 tls autoconfig authenticated"});
  EXPECT_EQ(run.result.candidates[0].username, "alice@d-ac.example");
  EXPECT_TRUE(run.result.warnings.empty());
}

TEST(DiscoverWorld, AutoconfigHttpOnlyIsLowerTrust) {
  CliRun run = Discover({"alice@d-http.example", "--all-sources"});
  ExpectOnly(run, "autoconfig-http",
             {"imap imap-h5n2.d-http.example:11143 starttls autoconfig unauthenticated",
              "smtp smtp-h5n2.d-http.example:11587 starttls autoconfig unauthenticated"});
}

TEST(DiscoverWorld, WellKnownOnly) {
  CliRun run = Discover({"alice@d-wk.example", "--all-sources"});
  ExpectOnly(run, "well-known",
             {"pop3 pop-w4c9.d-wk.example:10995 tls well-known authenticated",
              "smtp smtp-w4c9.d-wk.example:10465 tls well-known authenticated"});
}

TEST(DiscoverWorld, IspdbOnlyAndExplicitUrl) {
  CliRun run = Discover({"alice@d-ispdb.example", "--all-sources"});
  ExpectOnly(run, "ispdb",
             {"imap imap-i8q1.d-ispdb.example:20993 tls ispdb authenticated",
              "smtp smtp-i8q1.d-ispdb.example:20465 tls ispdb authenticated"});
  CliRun other = Discover({"alice@d-ispdb.example", "--ispdb-url",
                           "https://autoconfig.thunderbird.net/v1.1/nothing-", "--no-guess"});
  EXPECT_EQ(other.status, 1) << other.out;
}

TEST(DiscoverWorld, SrvOnlyWithDotSuppressingGuesses) {
  CliRun run = Discover({"alice@d-srv.example", "--all-sources"});
  ExpectOnly(run, "srv",
             {"imap imap2-s9f2.d-srv.example:20993 tls srv unauthenticated",
              "imap imap-s9f2.d-srv.example:10993 tls srv unauthenticated",
              "smtp smtp-s9f2.d-srv.example:10587 starttls srv unauthenticated"});
  // pop.d-srv.example:995 really answers, but _pop3s is ".": never probed.
  const SourceStatus* guess = Status(run.result, "guess");
  ASSERT_NE(guess, nullptr);
  EXPECT_NE(guess->detail.find("not offered"), std::string::npos) << guess->detail;
  EXPECT_EQ(ReadFile(Logs() + "/discover-srv-pop.log").find("pop3-login"), std::string::npos);
}

TEST(DiscoverWorld, GuessingFindsStandardHosts) {
  CliRun run = Discover({"alice@d-guess.example"});
  ExpectOnly(run, "guess",
             {"imap imap.d-guess.example:993 tls guess guessed",
              "imap imap.d-guess.example:143 starttls guess guessed",
              "smtp mail.d-guess.example:587 starttls guess guessed"});
  CliRun none = Discover({"alice@d-guess.example", "--no-guess"});
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(none.result.candidates.empty());
}

// The sources scenario's mx-only.example has only an MX record naming a host
// inside the domain, and that host runs every mail service.
TEST(DiscoverWorld, GuessingTriesTheMxHostInsideTheDomain) {
  CliRun run = Discover({"user@mx-only.example"});
  ASSERT_EQ(run.status, 0) << run.err;
  std::vector<std::string> servers = Servers(run.result);
  for (const char* want : {"imap mx-p9x3kd.mx-only.example:993 tls guess guessed",
                           "smtp mx-p9x3kd.mx-only.example:465 tls guess guessed"}) {
    EXPECT_NE(std::find(servers.begin(), servers.end(), want), servers.end()) << run.out;
  }
}

TEST(DiscoverWorld, MxToAnIspdbProvider) {
  CliRun run = Discover({"alice@d-mx.example", "--all-sources"});
  ExpectOnly(run, "mx",
             {"imap imap-m2x6.mailhost-v7.example:30993 tls mx unauthenticated",
              "smtp smtp-m2x6.mailhost-v7.example:30587 starttls mx unauthenticated"});
  ASSERT_FALSE(run.result.warnings.empty());
  EXPECT_NE(run.result.warnings[0].find("d-mx.example"), std::string::npos);
  EXPECT_NE(run.result.warnings[0].find("mailhost-v7.example"), std::string::npos);
}

TEST(DiscoverWorld, MxToGoogleIsRecognisedWithItsLoginPolicy) {
  CliRun run = Discover({"alice@d-mxg.example"});
  EXPECT_EQ(run.status, 0);
  ASSERT_FALSE(run.result.candidates.empty());
  EXPECT_EQ(run.result.candidates[0].host, "imap.gmail.com");
  EXPECT_EQ(run.result.candidates[0].source, Source::kMx);
  EXPECT_EQ(run.result.candidates[0].username, "alice@d-mxg.example");
  ASSERT_TRUE(run.result.provider.has_value());
  EXPECT_EQ(run.result.provider->login_policy, "app-password");
  bool app_password = false;
  for (const auto& w : run.result.warnings) {
    if (w.find("app password") != std::string::npos) app_password = true;
  }
  EXPECT_TRUE(app_password);
}

TEST(DiscoverWorld, AutodiscoverPostOnly) {
  CliRun run = Discover({"alice@d-ad.example", "--all-sources"});
  ExpectOnly(run, "autodiscover",
             {"imap imap-a9r4.d-ad.example:10993 tls autodiscover authenticated",
              "smtp smtp-a9r4.d-ad.example:10587 starttls autodiscover authenticated"});
  // The POST carried the address.
  EXPECT_NE(ReadFile(Logs() + "/web.jsonl").find("alice@d-ad.example</EMailAddress>"),
            std::string::npos);
}

TEST(DiscoverWorld, AutodiscoverRedirectAddrThenRedirectUrl) {
  CliRun run = Discover({"alice@d-adr.example", "--all-sources"});
  ExpectOnly(run, "autodiscover",
             {"imap imap-t2.tenant-q2.example:10993 tls autodiscover authenticated",
              "smtp smtp-t2.tenant-q2.example:10587 starttls autodiscover authenticated"});
  EXPECT_EQ(run.result.candidates[0].username, "alice@tenant-q2.example");
}

TEST(DiscoverWorld, AutodiscoverHttpRedirectMethod) {
  CliRun run = Discover({"alice@d-adhttp.example", "--all-sources"});
  ExpectOnly(run, "autodiscover",
             {"imap imap-r8.d-adhttp.example:10993 tls autodiscover unauthenticated",
              "smtp smtp-r8.d-adhttp.example:10587 starttls autodiscover unauthenticated"});
}

TEST(DiscoverWorld, AutodiscoverViaSrvWarnsAboutTheOtherDomain) {
  // _autodiscover._tcp.d-adsrv.example points to a hoster, whose answer
  // names servers in its own domain: plain DNS led outside d-adsrv.example.
  CliRun run = Discover({"alice@d-adsrv.example", "--all-sources"});
  ExpectOnly(run, "autodiscover",
             {"imap imap-v3.hosting-p3.example:10993 tls autodiscover unauthenticated",
              "smtp smtp-v3.hosting-p3.example:10587 starttls autodiscover unauthenticated"});
  ASSERT_EQ(run.result.warnings.size(), 2u) << run.out;
  for (const char* host : {"imap-v3.hosting-p3.example", "smtp-v3.hosting-p3.example"}) {
    const auto it = std::find_if(run.result.warnings.begin(), run.result.warnings.end(),
                                 [&](const std::string& w) { return w.rfind(host, 0) == 0; });
    ASSERT_NE(it, run.result.warnings.end()) << host << "\n" << run.out;
    EXPECT_NE(it->find("is outside d-adsrv.example: it belongs to hosting-p3.example"),
              std::string::npos)
        << *it;
    EXPECT_NE(it->find("via SRV _autodiscover._tcp.d-adsrv.example"), std::string::npos) << *it;
    EXPECT_NE(it->find("Use it only if you know that hosting-p3.example hosts the mail of "
                       "d-adsrv.example"),
              std::string::npos)
        << *it;
  }
}

TEST(DiscoverWorld, AutodiscoverNeverFollowsToPlainHttp) {
  CliRun run = Discover({"alice@d-adbad.example", "--no-guess"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(run.result.candidates.empty());
  EXPECT_EQ(Status(run.result, "autodiscover")->status, "error");
  EXPECT_EQ(ReadFile(Logs() + "/web.log").find("/autodiscover/final.xml"), std::string::npos);
}

TEST(DiscoverWorld, TarpitDoesNotDelayTheAnswer) {
  CliRun run = Discover({"alice@d-tarpit.example"});
  EXPECT_EQ(run.status, 0);
  EXPECT_LT(run.ms, 1500) << "the Autodiscover tarpit held the answer";
  EXPECT_EQ(run.result.candidates.size(), 2u);
  EXPECT_EQ(Status(run.result, "autodiscover")->status, "skipped");
}

TEST(DiscoverWorld, HangingTopSourceCostsOnlyItsDeadline) {
  CliRun run = Discover({"alice@d-slowtop.example", "--http-timeout", "1"});
  EXPECT_EQ(run.status, 0);
  EXPECT_GE(run.ms, 950);
  EXPECT_LT(run.ms, 2000);
  EXPECT_EQ(Status(run.result, "autoconfig")->status, "timeout");
  EXPECT_EQ(
      Servers(run.result),
      (std::vector<std::string>{"imap imap-s4b.d-slowtop.example:10993 tls srv unauthenticated",
                                "smtp smtp-s4b.d-slowtop.example:10465 tls srv unauthenticated"}));
}

TEST(DiscoverWorld, WholeRunTimeout) {
  CliRun run = Discover({"alice@d-slowtop.example", "--timeout", "0.5", "--skip", "srv"});
  EXPECT_EQ(run.status, 1);
  EXPECT_LT(run.ms, 1300);
  EXPECT_EQ(Status(run.result, "autoconfig")->status, "timeout");
}

TEST(DiscoverWorld, UnicodeDomain) {
  CliRun run = Discover({"anna@bücher.example", "--all-sources"});
  EXPECT_EQ(run.result.email, "anna@bücher.example");
  EXPECT_EQ(run.result.domain, "xn--bcher-kva.example");
  ExpectOnly(run, "autoconfig",
             {"imap imap-u7.xn--bcher-kva.example:10993 tls autoconfig authenticated",
              "smtp smtp-u7.xn--bcher-kva.example:10465 tls autoconfig authenticated"});
  CliRun text = Discover({"anna@bücher.example"}, /*json=*/false);
  EXPECT_NE(text.out.find("anna@bücher.example (xn--bcher-kva.example)"), std::string::npos);
}

TEST(DiscoverWorld, OfflineUsesNoNetwork) {
  // Earlier runs end without waiting for sources they did not need; let the
  // servers log those last requests first.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const size_t dns_before = ReadFile(Logs() + "/dns.log").size();
  const size_t web_before = ReadFile(Logs() + "/web.log").size();
  CliRun run = Discover({"alice@gmail.com", "--offline"});
  EXPECT_EQ(run.status, 0);
  ASSERT_FALSE(run.result.candidates.empty());
  EXPECT_EQ(run.result.candidates[0].source, Source::kProviders);
  CliRun unknown = Discover({"alice@d-ac.example", "--offline"});
  EXPECT_EQ(unknown.status, 1);
  const std::string dns_after = ReadFile(Logs() + "/dns.log").substr(dns_before);
  const std::string web_after = ReadFile(Logs() + "/web.log").substr(web_before);
  for (const char* domain : {"gmail.com", "d-ac.example"}) {
    EXPECT_EQ(dns_after.find(domain), std::string::npos) << dns_after;
    EXPECT_EQ(web_after.find(domain), std::string::npos) << web_after;
  }
}

TEST(DiscoverWorld, ProvidersDirectoryComesFirst) {
  const std::string dir = std::string(std::getenv("WORLD_DIR")) + "/extra-providers";
  ASSERT_EQ(std::system(("mkdir -p " + Quote(dir)).c_str()), 0);
  std::ofstream(dir + "/d-ac.xml")
      << "<clientConfig><emailProvider id='d-ac.example'><domain>d-ac.example</domain>"
         "<displayName>Local</displayName><incomingServer type='imap'><hostname>"
         "imap-local.d-ac.example</hostname><port>993</port><socketType>SSL</socketType>"
         "</incomingServer><outgoingServer type='smtp'><hostname>smtp-local.d-ac.example"
         "</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>"
         "</emailProvider></clientConfig>";
  CliRun run = Discover({"alice@d-ac.example", "--providers", dir});
  EXPECT_EQ(
      Servers(run.result),
      (std::vector<std::string>{"imap imap-local.d-ac.example:993 tls providers authenticated",
                                "smtp smtp-local.d-ac.example:465 tls providers authenticated"}));
  EXPECT_EQ(Status(run.result, "autoconfig")->status, "skipped");
}

TEST(DiscoverWorld, DnsServerOption) {
  CliRun good = Discover({"alice@d-srv.example", "--dns-server", "127.0.0.1", "--no-guess"});
  EXPECT_EQ(good.status, 0);
  // Nothing answers on port 5353: every DNS step fails, quickly, and says so.
  CliRun bad = Discover({"alice@d-srv.example", "--dns-server", "127.0.0.1:5353", "--dns-timeout",
                         "0.5", "--no-guess"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_LT(bad.ms, 3000);
  // c-ares sees the ICMP "port unreachable" (error) or nothing (timeout).
  const std::string status = Status(bad.result, "srv")->status;
  EXPECT_TRUE(status == "error" || status == "timeout") << status;
  EXPECT_NE(Status(bad.result, "srv")->detail.find("DNS server"), std::string::npos);
}

TEST(DiscoverWorld, BadInputIsExitTwo) {
  EXPECT_EQ(Discover({"not-an-address"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--format", "xml"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--timeout", "-1"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--skip", "nonsense"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--providers", "/nonexistent-dir"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--dns-server", "not an ip"}, false).status, 2);
  EXPECT_EQ(Discover({"a@b.example", "--ca-file", "/nonexistent.pem"}, false).status, 2);
  EXPECT_EQ(Discover({}, false).status, 2);
}

}  // namespace
}  // namespace mailscout
