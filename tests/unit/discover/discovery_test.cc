// Discovery's orchestration against fakes: each source alone, ranking and
// early return, deadlines, guessing rules, trust and warnings.
#include "discover/discovery.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>

#include "discover/provider_db.h"
#include "fakes.h"
#include "support/fake_resolver.h"
#include "test_util.h"

namespace mailscout {
namespace {

std::string ConfigXml(const std::string& imap_host, int imap_port, const std::string& smtp_host,
                      int smtp_port, const std::string& extra = "") {
  return "<clientConfig version=\"1.1\"><emailProvider id=\"p\"><domain>x.example</domain>"
         "<displayName>P</displayName>" +
         extra + "<incomingServer type=\"imap\"><hostname>" + imap_host + "</hostname><port>" +
         std::to_string(imap_port) +
         "</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>"
         "</incomingServer><outgoingServer type=\"smtp\"><hostname>" +
         smtp_host + "</hostname><port>" + std::to_string(smtp_port) +
         "</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username>"
         "</outgoingServer></emailProvider></clientConfig>";
}

std::string AutodiscoverXml(const std::string& inner) {
  return "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/"
         "responseschema/2006\"><Response xmlns=\"http://schemas.microsoft.com/exchange/"
         "autodiscover/outlook/responseschema/2006a\"><Account>" +
         inner + "</Account></Response></Autodiscover>";
}

std::string ImapSmtpProtocols(const std::string& imap, const std::string& smtp) {
  return "<Action>settings</Action><Protocol><Type>IMAP</Type><Server>" + imap +
         "</Server><Port>993</Port><SSL>on</SSL></Protocol><Protocol><Type>SMTP</Type><Server>" +
         smtp + "</Server><Port>587</Port><Encryption>TLS</Encryption></Protocol>";
}

class DiscoveryTest : public ::testing::Test {
 protected:
  DiscoveryTest() {
    options.http_timeout_ms = 400;
    options.dns_timeout_ms = 300;
    options.probe_timeout_ms = 300;
  }

  DiscoveryResult Run(const std::string& email, int64_t timeout_ms = 5000) {
    Discovery discovery(dns, http, use_prober ? &prober : nullptr, db, options);
    const auto start = Clock::now();
    DiscoveryResult result = discovery.Run(Address(email), Deadline::AfterMs(timeout_ms));
    run_ms = MsSince(start);
    return result;
  }

  static const SourceStatus& Status(const DiscoveryResult& r, const std::string& name) {
    static SourceStatus missing;
    for (const auto& s : r.sources) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << "no source " << name;
    return missing;
  }

  static std::vector<std::string> Hosts(const DiscoveryResult& r, Protocol p) {
    std::vector<std::string> out;
    for (const auto& c : r.candidates) {
      if (c.protocol == p) out.push_back(c.host + ":" + std::to_string(c.port));
    }
    return out;
  }

  FakeResolver dns;
  FakeHttp http;
  FakeProber prober;
  ProviderDb db;
  DiscoveryOptions options;
  bool use_prober = true;
  int64_t run_ms = 0;
};

TEST_F(DiscoveryTest, BundledProviderAnswersWithoutNetwork) {
  auto parsed = ParseClientConfig(ReadCorpus("clientconfig/full.xml"));
  ASSERT_TRUE(parsed.ok());
  db.Add(parsed->front(), "full.xml");
  DiscoveryResult r = Run("alice@gmail.com");
  EXPECT_EQ(Hosts(r, Protocol::kImap), (std::vector<std::string>{"imap.gmail.com:993"}));
  EXPECT_EQ(r.candidates[0].source, Source::kProviders);
  EXPECT_EQ(r.candidates[0].trust, Trust::kAuthenticated);
  EXPECT_EQ(r.candidates[0].username, "alice@gmail.com");
  EXPECT_TRUE(http.requests().empty());
  EXPECT_TRUE(prober.probed().empty());
  EXPECT_EQ(Status(r, "providers").status, "found");
  EXPECT_EQ(Status(r, "autoconfig").status, "skipped");
  ASSERT_TRUE(r.provider.has_value());
  EXPECT_EQ(r.provider->display_name, "Google Mail");
}

TEST_F(DiscoveryTest, OfflineTouchesNoNetwork) {
  options.offline = true;
  DiscoveryResult r = Run("alice@nowhere.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_TRUE(http.requests().empty());
  EXPECT_TRUE(prober.probed().empty());
  EXPECT_EQ(Status(r, "srv").status, "skipped");
  EXPECT_EQ(Status(r, "srv").detail, "--offline");
  EXPECT_EQ(Status(r, "providers").status, "none");
}

TEST_F(DiscoveryTest, AutoconfigOverHttpsIsAuthenticated) {
  http.answers["https://autoconfig.ac.example/mail/config-v1.1.xml?emailaddress=alice%40ac.example"]
      .body = ConfigXml("q7.hidden.example", 10993, "z9.hidden.example", 10465);
  DiscoveryResult r = Run("alice@ac.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].host, "q7.hidden.example");
  EXPECT_EQ(r.candidates[0].port, 10993);
  EXPECT_EQ(r.candidates[0].source, Source::kAutoconfig);
  EXPECT_EQ(r.candidates[0].trust, Trust::kAuthenticated);
  EXPECT_EQ(Status(r, "autoconfig").status, "found");
  // Hosts outside the domain, but reached over https: no warning.
  EXPECT_TRUE(r.warnings.empty());
}

TEST_F(DiscoveryTest, HttpOnlyAutoconfigIsUnauthenticatedAndWarned) {
  http.answers["http://autoconfig.ac.example/mail/config-v1.1.xml?emailaddress=alice%40ac.example"]
      .body = ConfigXml("q7.hidden.example", 10993, "z9.hidden.example", 10465);
  DiscoveryResult r = Run("alice@ac.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].source, Source::kAutoconfig);
  EXPECT_EQ(r.candidates[0].trust, Trust::kUnauthenticated);
  EXPECT_EQ(Status(r, "autoconfig-http").status, "found");
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_NE(r.warnings[0].find("plain http"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("ac.example"), std::string::npos);
}

TEST_F(DiscoveryTest, HttpsToHttpRedirectIsRefused) {
  auto& a =
      http.answers
          ["https://autoconfig.ac.example/mail/config-v1.1.xml?emailaddress=alice%40ac.example"];
  a.status = 302;
  a.headers["location"] = "http://evil.example/config.xml";
  http.answers["http://evil.example/config.xml"].body =
      ConfigXml("x.evil.example", 993, "y.evil.example", 465);
  options.guess = false;
  DiscoveryResult r = Run("alice@ac.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_FALSE(http.Asked("http://evil.example/config.xml"));
  EXPECT_EQ(Status(r, "autoconfig").status, "error");
}

TEST_F(DiscoveryTest, WellKnownAndIspdb) {
  http.answers["https://wk.example/.well-known/autoconfig/mail/config-v1.1.xml"].body =
      ConfigXml("imap.wk-host.example", 993, "smtp.wk-host.example", 465);
  http.answers["https://autoconfig.thunderbird.net/v1.1/wk.example"].body =
      ConfigXml("imap.ispdb-host.example", 993, "smtp.ispdb-host.example", 465);
  options.wait_for_all = true;
  DiscoveryResult r = Run("alice@wk.example");
  EXPECT_EQ(Hosts(r, Protocol::kImap),
            (std::vector<std::string>{"imap.wk-host.example:993", "imap.ispdb-host.example:993"}));
  EXPECT_EQ(Status(r, "ispdb").status, "found");
  EXPECT_EQ(Status(r, "well-known").status, "found");
}

TEST_F(DiscoveryTest, SrvOrderAndDotSuppressesGuesses) {
  dns.srv["_imaps._tcp.srv.example"] = {{10, 0, 10993, "b7.mailhost.example"},
                                        {0, 0, 20993, "a3.mailhost.example"}};
  dns.srv["_submission._tcp.srv.example"] = {{0, 0, 10587, "a3.mailhost.example"}};
  dns.srv["_pop3s._tcp.srv.example"] = {{0, 0, 0, "."}};
  dns.srv["_pop3._tcp.srv.example"] = {{0, 0, 0, "."}};
  dns.hosts["pop.srv.example"] = {"127.0.0.9"};
  prober.outcomes["pop.srv.example:995:tls"] = {ProbeStatus::kConfirmed, "ok"};
  options.wait_for_all = true;
  DiscoveryResult r = Run("alice@srv.example");
  EXPECT_EQ(Hosts(r, Protocol::kImap),
            (std::vector<std::string>{"a3.mailhost.example:20993", "b7.mailhost.example:10993"}));
  EXPECT_EQ(Hosts(r, Protocol::kSmtp), (std::vector<std::string>{"a3.mailhost.example:10587"}));
  EXPECT_TRUE(Hosts(r, Protocol::kPop3).empty());
  for (const auto& p : prober.probed())
    EXPECT_EQ(p.find("pop.srv.example"), std::string::npos) << p;
  EXPECT_EQ(r.candidates[0].trust, Trust::kUnauthenticated);
  EXPECT_EQ(r.candidates[0].detail, "SRV _imaps._tcp.srv.example");
  // mailhost.example is outside srv.example and came over plain DNS.
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("srv.example"), std::string::npos);
  EXPECT_NE(r.warnings[0].find("mailhost.example"), std::string::npos);
}

TEST_F(DiscoveryTest, MxToBundledProvider) {
  auto parsed = ParseClientConfig(ReadCorpus("clientconfig/full.xml"));
  ASSERT_TRUE(parsed.ok());
  ProviderConfig google = parsed->front();
  google.login_policy = "app-password";
  db.Add(google, "gmail.xml");
  dns.mx["custom.example"] = {{5, "alt1.aspmx.l.google.com"}, {1, "aspmx.l.google.com"}};
  DiscoveryResult r = Run("bob@custom.example");
  ASSERT_FALSE(r.candidates.empty());
  EXPECT_EQ(r.candidates[0].host, "imap.gmail.com");
  EXPECT_EQ(r.candidates[0].source, Source::kMx);
  EXPECT_EQ(r.candidates[0].trust, Trust::kUnauthenticated);
  EXPECT_EQ(r.candidates[0].username, "bob@custom.example");
  EXPECT_NE(r.candidates[0].detail.find("aspmx.l.google.com"), std::string::npos);
  ASSERT_TRUE(r.provider.has_value());
  EXPECT_EQ(r.provider->login_policy, "app-password");
  bool app_password_warning = false;
  for (const auto& w : r.warnings) {
    if (w.find("app password") != std::string::npos) app_password_warning = true;
  }
  EXPECT_TRUE(app_password_warning);
}

TEST_F(DiscoveryTest, MxToIspdbOfTheMxDomain) {
  dns.mx["shop.example"] = {{10, "mx01.mailcloud.example"}};
  http.answers["https://autoconfig.thunderbird.net/v1.1/mailcloud.example"].body =
      ConfigXml("imap.mailcloud.example", 993, "smtp.mailcloud.example", 465);
  DiscoveryResult r = Run("bob@shop.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].source, Source::kMx);
  EXPECT_TRUE(http.Asked(
      "https://autoconfig.mailcloud.example/mail/config-v1.1.xml?emailaddress=bob%40shop.example"));
}

TEST_F(DiscoveryTest, AutodiscoverFollowsRedirectAddrAndRedirectUrl) {
  http.answers["POST https://autodiscover.ad.example/autodiscover/autodiscover.xml"].body =
      AutodiscoverXml(
          "<Action>redirectAddr</Action><RedirectAddr>carol@tenant.example</RedirectAddr>");
  http.answers["POST https://autodiscover.tenant.example/autodiscover/autodiscover.xml"]
      .body = AutodiscoverXml(
      "<Action>redirectUrl</Action><RedirectUrl>https://ad2.tenant.example/x.xml</RedirectUrl>");
  http.answers["POST https://ad2.tenant.example/x.xml"].body =
      AutodiscoverXml(ImapSmtpProtocols("imap.k4.example", "smtp.k4.example"));
  DiscoveryResult r = Run("alice@ad.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].host, "imap.k4.example");
  EXPECT_EQ(r.candidates[0].source, Source::kAutodiscover);
  EXPECT_EQ(r.candidates[0].trust, Trust::kAuthenticated);
  EXPECT_EQ(r.candidates[0].username, "carol@tenant.example");
  EXPECT_EQ(r.candidates[1].security, Security::kStartTls);
  // The redirected request asked for the new address.
  for (const auto& req : http.requests()) {
    if (req.url == "https://ad2.tenant.example/x.xml") {
      EXPECT_NE(req.body.find("carol@tenant.example"), std::string::npos);
    }
  }
}

TEST_F(DiscoveryTest, AutodiscoverRefusesNonHttpsRedirectUrl) {
  http.answers["POST https://autodiscover.ad.example/autodiscover/autodiscover.xml"].body =
      AutodiscoverXml(
          "<Action>redirectUrl</Action><RedirectUrl>http://plain.example/a.xml</RedirectUrl>");
  http.answers["POST http://plain.example/a.xml"].body =
      AutodiscoverXml(ImapSmtpProtocols("imap.bad.example", "smtp.bad.example"));
  options.guess = false;
  DiscoveryResult r = Run("alice@ad.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_FALSE(http.Asked("http://plain.example/a.xml"));
  EXPECT_EQ(Status(r, "autodiscover").status, "error");
}

TEST_F(DiscoveryTest, AutodiscoverRedirectLimit) {
  for (int i = 0; i < 15; ++i) {
    http.answers["POST https://r" + std::to_string(i) + ".example/a.xml"].body =
        AutodiscoverXml("<Action>redirectUrl</Action><RedirectUrl>https://r" +
                        std::to_string(i + 1) + ".example/a.xml</RedirectUrl>");
  }
  http.answers["POST https://autodiscover.ad.example/autodiscover/autodiscover.xml"].body =
      AutodiscoverXml(
          "<Action>redirectUrl</Action><RedirectUrl>https://r0.example/a.xml</RedirectUrl>");
  options.guess = false;
  DiscoveryResult r = Run("alice@ad.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_TRUE(http.Asked("https://r8.example/a.xml"));
  EXPECT_FALSE(http.Asked("https://r10.example/a.xml"));
  EXPECT_NE(Status(r, "autodiscover").detail.find("more than 10"), std::string::npos);
}

TEST_F(DiscoveryTest, AutodiscoverHttpRedirectMethodIsUnauthenticated) {
  auto& get = http.answers["GET http://autodiscover.ad.example/autodiscover/autodiscover.xml"];
  get.status = 302;
  get.headers["location"] = "https://mail.ad.example/autodiscover/autodiscover.xml";
  http.answers["POST https://mail.ad.example/autodiscover/autodiscover.xml"].body =
      AutodiscoverXml(ImapSmtpProtocols("imap.ad.example", "smtp.ad.example"));
  DiscoveryResult r = Run("alice@ad.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].trust, Trust::kUnauthenticated);
  EXPECT_NE(r.candidates[0].detail.find("via http redirect"), std::string::npos);
}

TEST_F(DiscoveryTest, AutodiscoverViaSrv) {
  dns.srv["_autodiscover._tcp.ad.example"] = {{0, 0, 8443, "adhost.provider.example"}};
  http.answers["POST https://adhost.provider.example:8443/autodiscover/autodiscover.xml"].body =
      AutodiscoverXml(ImapSmtpProtocols("imap.provider.example", "smtp.provider.example"));
  DiscoveryResult r = Run("alice@ad.example");
  ASSERT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(r.candidates[0].trust, Trust::kUnauthenticated);
  // One warning per host: provider.example is outside ad.example, and the
  // only way there was an SRV record anyone on the network could forge.
  ASSERT_EQ(r.warnings.size(), 2u) << testing::PrintToString(r.warnings);
  for (const char* host : {"imap.provider.example", "smtp.provider.example"}) {
    const auto it = std::find_if(r.warnings.begin(), r.warnings.end(),
                                 [&](const std::string& w) { return w.rfind(host, 0) == 0; });
    ASSERT_NE(it, r.warnings.end()) << host;
    EXPECT_NE(it->find("is outside ad.example: it belongs to provider.example"), std::string::npos)
        << *it;
    EXPECT_NE(it->find("an Autodiscover redirect that was not authenticated"), std::string::npos)
        << *it;
    EXPECT_NE(it->find("via SRV _autodiscover._tcp.ad.example"), std::string::npos) << *it;
  }
}

// Whether a source found "nothing there" or failed is decided by the DNS
// outcome the resolver reports, not by the words of its message.
TEST_F(DiscoveryTest, DnsOutcomeDecidesNoneOrError) {
  options.skip = {Source::kAutoconfig, Source::kWellKnown, Source::kIspdb, Source::kAutodiscover,
                  Source::kMx};
  use_prober = false;
  // No SRV records anywhere: NXDOMAIN for every name, an answer.
  DiscoveryResult r = Run("alice@nx.example");
  EXPECT_EQ(Status(r, "srv").status, "none") << Status(r, "srv").detail;

  // The DNS server fails for one of them: the source failed.
  dns.failing.insert("_imaps._tcp.sf.example");
  r = Run("alice@sf.example");
  EXPECT_EQ(Status(r, "srv").status, "error") << Status(r, "srv").detail;
  EXPECT_NE(Status(r, "srv").detail.find("SERVFAIL"), std::string::npos) << Status(r, "srv").detail;

  // The same words without the outcome decide nothing: a message that
  // mentions NXDOMAIN is still a failing server if the resolver says so.
  dns.failing.clear();
  dns.failure_message = "The DNS server says NXDOMAIN and has no SRV records (SERVFAIL)";
  dns.failing.insert("_imaps._tcp.sf2.example");
  r = Run("alice@sf2.example");
  EXPECT_EQ(Status(r, "srv").status, "error") << Status(r, "srv").detail;
}

TEST_F(DiscoveryTest, DoesNotWaitForLowerRankedSlowSource) {
  http.answers["https://autoconfig.fast.example/mail/config-v1.1.xml?emailaddress=a%40fast.example"]
      .body = ConfigXml("imap.fast.example", 993, "smtp.fast.example", 465);
  http.answers["POST https://autodiscover.fast.example/autodiscover/autodiscover.xml"].hang = true;
  dns.hang.insert("_imaps._tcp.fast.example");
  options.http_timeout_ms = 3000;
  options.dns_timeout_ms = 3000;
  const auto start = Clock::now();
  DiscoveryResult r;
  {
    Discovery discovery(dns, http, &prober, db, options);
    r = discovery.Run(Address("a@fast.example"), Deadline::AfterMs(10000));
    run_ms = MsSince(start);
  }
  EXPECT_LT(run_ms, 1000);
  EXPECT_EQ(r.candidates.size(), 2u);
  EXPECT_EQ(Status(r, "autodiscover").status, "skipped");
  EXPECT_NE(Status(r, "autodiscover").detail.find("not waited for"), std::string::npos);
}

TEST_F(DiscoveryTest, WaitsForHigherRankedSourceUpToItsDeadline) {
  // autoconfig (ranked first) hangs; SRV answers at once. The answer waits
  // for autoconfig's own deadline, not for the whole run's.
  http.answers["https://autoconfig.slow.example/mail/config-v1.1.xml?emailaddress=a%40slow.example"]
      .hang = true;
  dns.srv["_imaps._tcp.slow.example"] = {{0, 0, 993, "imap.slow.example"}};
  dns.srv["_submissions._tcp.slow.example"] = {{0, 0, 465, "smtp.slow.example"}};
  options.http_timeout_ms = 600;
  DiscoveryResult r = Run("a@slow.example", 10000);
  EXPECT_GE(run_ms, 550);
  EXPECT_LT(run_ms, 2000);
  EXPECT_EQ(Status(r, "autoconfig").status, "timeout");
  EXPECT_EQ(Hosts(r, Protocol::kImap), (std::vector<std::string>{"imap.slow.example:993"}));
}

TEST_F(DiscoveryTest, OverallDeadlineBoundsEverything) {
  options.http_timeout_ms = 5000;
  options.dns_timeout_ms = 5000;
  for (const char* name :
       {"_imaps._tcp.hang.example", "_imap._tcp.hang.example", "_pop3s._tcp.hang.example",
        "_pop3._tcp.hang.example", "_submissions._tcp.hang.example",
        "_submission._tcp.hang.example", "hang.example", "_autodiscover._tcp.hang.example",
        "imap.hang.example", "mail.hang.example", "smtp.hang.example", "pop.hang.example",
        "pop3.hang.example"}) {
    dns.hang.insert(name);
  }
  DiscoveryResult r = Run("a@hang.example", 700);
  EXPECT_LT(run_ms, 1200);
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_EQ(Status(r, "srv").status, "timeout");
}

TEST_F(DiscoveryTest, GuessesConfirmedByProbeOnlyForUnansweredProtocols) {
  dns.srv["_imaps._tcp.g.example"] = {{0, 0, 993, "imap.g.example"}};
  dns.hosts["imap.g.example"] = {"127.0.0.5"};
  dns.hosts["mail.g.example"] = {"127.0.0.6"};
  prober.outcomes["mail.g.example:465:tls"] = {ProbeStatus::kConfirmed, "SMTP over TLS answered"};
  prober.outcomes["mail.g.example:587:starttls"] = {ProbeStatus::kRejected, "no STARTTLS"};
  prober.outcomes["mail.g.example:587:plain"] = {ProbeStatus::kConfirmed, "SMTP answered"};
  prober.outcomes["imap.g.example:993:tls"] = {ProbeStatus::kConfirmed, "IMAP answered"};
  prober.delay_ms = 50;  // SRV has answered IMAP by then
  DiscoveryResult r = Run("a@g.example");
  EXPECT_EQ(Hosts(r, Protocol::kImap), (std::vector<std::string>{"imap.g.example:993"}));
  EXPECT_EQ(r.candidates[0].source, Source::kSrv);
  auto smtp = Hosts(r, Protocol::kSmtp);
  EXPECT_EQ(smtp, (std::vector<std::string>{"mail.g.example:465", "mail.g.example:587"}));
  for (const auto& c : r.candidates) {
    if (c.protocol == Protocol::kSmtp) {
      EXPECT_EQ(c.source, Source::kGuess);
      EXPECT_EQ(c.trust, Trust::kGuessed);
    }
  }
  EXPECT_EQ(r.candidates.back().security, Security::kPlain);
}

TEST_F(DiscoveryTest, NoGuessAndNoProber) {
  dns.hosts["imap.g.example"] = {"127.0.0.5"};
  prober.outcomes["imap.g.example:993:tls"] = {ProbeStatus::kConfirmed, "ok"};
  options.guess = false;
  DiscoveryResult r = Run("a@g.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_EQ(Status(r, "guess").detail, "--no-guess");
  EXPECT_TRUE(prober.probed().empty());
  options.guess = true;
  use_prober = false;
  r = Run("a@g.example");
  EXPECT_EQ(Status(r, "guess").status, "skipped");
}

TEST_F(DiscoveryTest, SameServerFromSeveralSourcesIsMerged) {
  http.answers["https://autoconfig.m.example/mail/config-v1.1.xml?emailaddress=a%40m.example"]
      .body = ConfigXml("imap.m.example", 993, "smtp.m.example", 465);
  dns.srv["_imaps._tcp.m.example"] = {{0, 0, 993, "imap.m.example"}};
  options.wait_for_all = true;
  options.guess = false;
  DiscoveryResult r = Run("a@m.example");
  ASSERT_EQ(Hosts(r, Protocol::kImap), (std::vector<std::string>{"imap.m.example:993"}));
  EXPECT_EQ(r.candidates[0].source, Source::kAutoconfig);
  EXPECT_EQ(r.candidates[0].also_from, (std::vector<Source>{Source::kSrv}));
}

TEST_F(DiscoveryTest, UnicodeDomainIsLookedUpAsALabel) {
  dns.srv["_imaps._tcp.xn--bcher-kva.example"] = {{0, 0, 993, "imap.xn--bcher-kva.example"}};
  dns.srv["_submissions._tcp.xn--bcher-kva.example"] = {{0, 0, 465, "smtp.xn--bcher-kva.example"}};
  DiscoveryResult r = Run("anna@bücher.example");
  EXPECT_EQ(r.email, "anna@bücher.example");
  EXPECT_EQ(r.domain, "xn--bcher-kva.example");
  EXPECT_EQ(r.candidates.size(), 2u);
  EXPECT_TRUE(http.Asked(
      "https://autoconfig.xn--bcher-kva.example/mail/config-v1.1.xml?emailaddress=anna%40xn--"
      "bcher-kva.example"));
}

TEST_F(DiscoveryTest, ProviderWithoutMailAccessStopsAtOnce) {
  auto parsed = ParseClientConfig(ReadCorpus("clientconfig/no-servers.xml"));
  ASSERT_TRUE(parsed.ok());
  db.Add(parsed->front(), "closed.xml");
  DiscoveryResult r = Run("a@closed.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_TRUE(http.requests().empty());
  EXPECT_TRUE(prober.probed().empty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("no IMAP, POP3 or SMTP"), std::string::npos);
}

TEST_F(DiscoveryTest, CatchAllWebPagesAreNothingButBrokenConfigsAreErrors) {
  http.answers["https://w.example/.well-known/autoconfig/mail/config-v1.1.xml"].body =
      "<html><body>Welcome to w.example</body></html>";
  http.answers["https://autoconfig.w.example/mail/config-v1.1.xml?emailaddress=a%40w.example"]
      .body = "<clientConfig><emailProvider>";
  http.answers["POST https://w.example/autodiscover/autodiscover.xml"].body = "<html/>";
  options.guess = false;
  DiscoveryResult r = Run("a@w.example");
  EXPECT_EQ(Status(r, "well-known").status, "none");
  EXPECT_NE(Status(r, "well-known").detail.find("not a clientConfig"), std::string::npos);
  EXPECT_EQ(Status(r, "autoconfig").status, "error");
  EXPECT_EQ(Status(r, "autodiscover").status, "none") << Status(r, "autodiscover").detail;
}

TEST_F(DiscoveryTest, SkipOption) {
  dns.srv["_imaps._tcp.s.example"] = {{0, 0, 993, "imap.s.example"}};
  options.skip = {Source::kSrv};
  options.guess = false;
  DiscoveryResult r = Run("a@s.example");
  EXPECT_TRUE(r.candidates.empty());
  EXPECT_EQ(Status(r, "srv").detail, "--skip srv");
}

TEST_F(DiscoveryTest, ProgressIsReported) {
  http.answers["https://autoconfig.p.example/mail/config-v1.1.xml?emailaddress=a%40p.example"]
      .delay_ms = 450;
  http.answers["https://autoconfig.p.example/mail/config-v1.1.xml?emailaddress=a%40p.example"]
      .body = ConfigXml("imap.p.example", 993, "smtp.p.example", 465);
  options.http_timeout_ms = 2000;
  Discovery discovery(dns, http, &prober, db, options);
  int calls = 0;
  bool saw_running = false;
  discovery.Run(Address("a@p.example"), Deadline::AfterMs(5000),
                [&](const std::vector<SourceStatus>& sources) {
                  ++calls;
                  for (const auto& s : sources) {
                    if (s.status == "running" && s.name == "autoconfig") saw_running = true;
                  }
                });
  EXPECT_GE(calls, 1);
  EXPECT_TRUE(saw_running);
}

int64_t CpuMs() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

// Regression: without a ProgressFn, Run() once spun on its condition
// variable after the first progress tick while a source hung.
TEST_F(DiscoveryTest, RunDoesNotBusyWaitWhileASourceHangs) {
  http.answers["https://autoconfig.h.example/mail/config-v1.1.xml?emailaddress=a%40h.example"]
      .hang = true;
  options.http_timeout_ms = 1000;
  options.guess = false;
  const int64_t before = CpuMs();
  DiscoveryResult r = Run("a@h.example");
  EXPECT_GE(run_ms, 950);
  EXPECT_LT(CpuMs() - before, 300);
}

}  // namespace
}  // namespace mailscout
