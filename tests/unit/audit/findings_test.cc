// The finding catalogue: each rule fires where it applies and nowhere else.
#include <gtest/gtest.h>

#include <algorithm>

#include "audit/audit.h"

namespace mailscout {
namespace {

ServerCandidate Cand(Protocol p, const std::string& host, uint16_t port, Security s, Source source,
                     const std::string& detail = "") {
  ServerCandidate c;
  c.protocol = p;
  c.host = host;
  c.port = port;
  c.security = s;
  c.source = source;
  c.detail = detail;
  return c;
}

AuditEndpoint Good(Protocol p, const std::string& host, uint16_t port, Security s,
                   std::vector<std::string> sources) {
  AuditEndpoint e;
  e.protocol = p;
  e.host = host;
  e.port = port;
  e.security = s;
  e.sources = std::move(sources);
  e.reachable = true;
  e.tls_versions = {"TLSv1.2", "TLSv1.3"};
  TlsInfo tls;
  tls.chain_ok = true;
  tls.name_ok = true;
  tls.sans = {host};
  tls.not_after = "2030-01-01T00:00:00Z";
  e.tls = tls;
  e.days_left = 900;
  e.login = "not-tried";
  return e;
}

// A domain that publishes everything consistently: autoconfig, SRV, the
// same servers, sound TLS.
AuditReport Clean() {
  AuditReport r;
  r.domain = "example.com";
  r.email = "postmaster@example.com";
  AuditSource ac{
      "autoconfig", "https://autoconfig.example.com/mail/config-v1.1.xml", "found", "", {}};
  ac.servers = {Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls, Source::kAutoconfig,
                     "https://autoconfig.example.com/mail/config-v1.1.xml"),
                Cand(Protocol::kSmtp, "mail.example.com", 465, Security::kTls, Source::kAutoconfig,
                     "https://autoconfig.example.com/mail/config-v1.1.xml")};
  AuditSource srv{"srv", "", "found", "", {}};
  srv.servers = {Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls, Source::kSrv),
                 Cand(Protocol::kSmtp, "mail.example.com", 465, Security::kTls, Source::kSrv)};
  r.sources = {ac, srv};
  r.endpoints = {
      Good(Protocol::kImap, "mail.example.com", 993, Security::kTls, {"autoconfig", "srv"}),
      Good(Protocol::kSmtp, "mail.example.com", 465, Security::kTls, {"autoconfig", "srv"})};
  r.mx = {"mail.example.com"};
  return r;
}

std::vector<std::string> Codes(const AuditReport& r) {
  std::vector<std::string> codes;
  for (const auto& f : Findings(r)) codes.push_back(f.code);
  return codes;
}

bool Has(const AuditReport& r, const std::string& code) {
  auto codes = Codes(r);
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

TEST(FindingsTest, ConsistentDomainHasNone) {
  EXPECT_EQ(Codes(Clean()), std::vector<std::string>{});
}

TEST(FindingsTest, ClosedAdvertisedEndpoint) {
  AuditReport r = Clean();
  r.endpoints[0].reachable = false;
  r.endpoints[0].check.error =
      Error::Make(ErrorKind::kRefused, "connection refused", {}, Phase::kConnect);
  auto f = Findings(r);
  ASSERT_EQ(f.size(), 1U);
  EXPECT_EQ(f[0].code, "advertised-endpoint-closed");
  EXPECT_EQ(f[0].severity, "error");
  EXPECT_EQ(f[0].sources, (std::vector<std::string>{"autoconfig", "srv"}));
  EXPECT_EQ(f[0].endpoints, (std::vector<std::string>{"imap mail.example.com:993 tls"}));
  // Unpublished endpoints (checked only) never make findings.
  r.endpoints[0].sources = {};
  EXPECT_FALSE(Has(r, "advertised-endpoint-closed"));
  r.endpoints[0].sources = {"guess"};
  EXPECT_FALSE(Has(r, "advertised-endpoint-closed"));
}

TEST(FindingsTest, CertificateProblems) {
  AuditReport r = Clean();
  r.endpoints[0].tls->name_ok = false;
  EXPECT_EQ(Codes(r), std::vector<std::string>{"certificate-name-mismatch"});
  r = Clean();
  r.endpoints[0].tls->chain_ok = false;
  r.endpoints[0].tls->chain_error = "self-signed certificate";
  EXPECT_EQ(Codes(r), std::vector<std::string>{"certificate-untrusted"});
  r = Clean();
  r.endpoints[0].tls->chain_ok = false;
  r.endpoints[0].tls->chain_error_code = 10;
  r.endpoints[0].days_left = -3;
  EXPECT_EQ(Codes(r), std::vector<std::string>{"certificate-expired"});
  r = Clean();
  r.endpoints[0].days_left = 10;
  EXPECT_EQ(Codes(r), std::vector<std::string>{"certificate-expiring"});
  r.endpoints[0].days_left = 22;
  EXPECT_EQ(Codes(r), std::vector<std::string>{});
}

TEST(FindingsTest, LegacyTlsPlaintextAndAuthBeforeTls) {
  AuditReport r = Clean();
  r.endpoints[1].tls_versions = {"TLSv1", "TLSv1.2"};
  EXPECT_EQ(Codes(r), std::vector<std::string>{"tls-legacy-version"});
  r = Clean();
  AuditEndpoint plain =
      Good(Protocol::kImap, "mail.example.com", 143, Security::kPlain, {"autoconfig"});
  plain.tls.reset();
  plain.tls_versions.clear();
  r.endpoints.push_back(plain);
  EXPECT_TRUE(Has(r, "advertised-plaintext"));
  r = Clean();
  AuditEndpoint st = Good(Protocol::kSmtp, "mail.example.com", 587, Security::kStartTls, {"srv"});
  st.mechanisms_before_tls = {"PLAIN", "LOGIN"};
  r.endpoints.push_back(st);
  EXPECT_EQ(Codes(r), std::vector<std::string>{"auth-before-tls"});
  r.endpoints.back().mechanisms_before_tls = {"SCRAM-SHA-256"};
  EXPECT_EQ(Codes(r), std::vector<std::string>{});
}

TEST(FindingsTest, SourcesThatDisagreeAndWhichWorks) {
  AuditReport r = Clean();
  r.sources[1].servers[0] =
      Cand(Protocol::kImap, "old.example.com", 993, Security::kTls, Source::kSrv);
  AuditEndpoint old = Good(Protocol::kImap, "old.example.com", 993, Security::kTls, {"srv"});
  old.reachable = false;
  r.endpoints.push_back(old);
  auto f = Findings(r);
  auto it = std::find_if(f.begin(), f.end(),
                         [](const AuditFinding& x) { return x.code == "source-disagreement"; });
  ASSERT_NE(it, f.end());
  EXPECT_NE(it->message.find("imap mail.example.com:993 tls works"), std::string::npos)
      << it->message;
  EXPECT_NE(it->message.find("srv say imap old.example.com:993 tls"), std::string::npos)
      << it->message;
}

TEST(FindingsTest, SourceLevelFindings) {
  AuditReport r = Clean();
  for (auto& c : r.sources[0].servers)
    c.detail = "http://autoconfig.example.com/mail/config-v1.1.xml";
  EXPECT_EQ(Codes(r), std::vector<std::string>{"autoconfig-http-only"});

  r = Clean();
  r.autodiscover_status = {{"https://autodiscover.example.com/autodiscover/autodiscover.xml", 401}};
  EXPECT_EQ(Codes(r), std::vector<std::string>{"autodiscover-requires-auth"});
  r.autodiscover_status = {{"https://autodiscover.example.com/autodiscover/autodiscover.xml", 200}};
  EXPECT_EQ(Codes(r), std::vector<std::string>{});

  r = Clean();
  AuditSrv no{"_imaps._tcp.example.com", Protocol::kImap, Security::kTls, true, {}};
  r.srv = {no};
  r.endpoints[0].sources = {"autoconfig"};
  EXPECT_EQ(Codes(r), std::vector<std::string>{"srv-says-no-service"});
  AuditSrv no_pop{"_pop3s._tcp.example.com", Protocol::kPop3, Security::kTls, true, {}};
  r.srv = {no_pop};  // no POP3 anywhere: "." is right
  EXPECT_EQ(Codes(r), std::vector<std::string>{});

  r = Clean();
  AuditSource ispdb{"ispdb", "", "found", "", {}};
  ispdb.servers = {Cand(Protocol::kImap, "imap.gone.example", 993, Security::kTls, Source::kIspdb)};
  r.sources.push_back(ispdb);
  EXPECT_TRUE(Has(r, "ispdb-stale"));

  r = Clean();
  r.mx = {"mx.mailhost.example"};
  EXPECT_EQ(Codes(r), std::vector<std::string>{"mx-provider-unknown"});
  r.sources.push_back(
      AuditSource{"mx",
                  "",
                  "found",
                  "",
                  {Cand(Protocol::kImap, "mail.example.com", 993, Security::kTls, Source::kMx)}});
  EXPECT_FALSE(Has(r, "mx-provider-unknown"));

  r = Clean();
  for (auto& s : r.sources) s.name = "guess";
  for (auto& e : r.endpoints) e.sources = {"guess"};
  EXPECT_EQ(Codes(r), std::vector<std::string>{"nothing-published"});

  r = Clean();
  r.sources[0].servers[1].port = 25;
  r.endpoints[1].port = 25;
  r.sources[1].servers[1].port = 25;
  EXPECT_EQ(Codes(r), std::vector<std::string>{"port-25-for-submission"});
}

TEST(FindingsTest, LoginFailedEverywhereOnlyWithAPassword) {
  AuditReport r = Clean();
  for (auto& e : r.endpoints) e.login = "failed";
  EXPECT_FALSE(Has(r, "login-failed-everywhere"));
  r.password_given = true;
  EXPECT_TRUE(Has(r, "login-failed-everywhere"));
  r.endpoints[0].login = "ok";
  EXPECT_FALSE(Has(r, "login-failed-everywhere"));
}

TEST(FindingsTest, ErrorsComeFirstAndEveryCodeIsInTheCatalogue) {
  AuditReport r = Clean();
  r.endpoints[0].days_left = 5;
  r.endpoints[1].tls->name_ok = false;
  auto f = Findings(r);
  ASSERT_EQ(f.size(), 2U);
  EXPECT_EQ(f[0].severity, "error");
  const auto& catalogue = FindingCatalogue();
  for (const auto& finding : f) {
    auto it = std::find_if(catalogue.begin(), catalogue.end(),
                           [&](const auto& entry) { return entry.first == finding.code; });
    ASSERT_NE(it, catalogue.end()) << finding.code;
    EXPECT_EQ(it->second, finding.severity);
  }
}

}  // namespace
}  // namespace mailscout

namespace mailscout {
namespace {

const AuditClient* ClientNamed(const std::vector<AuditClient>& clients, const std::string& name) {
  for (const auto& c : clients) {
    if (c.client == name) return &c;
  }
  return nullptr;
}

TEST(SimulateClientsTest, EachClientReadsItsOwnSources) {
  AuditReport r = Clean();  // autoconfig over https and SRV, both sound
  auto clients = SimulateClients(r);
  const AuditClient* tb = ClientNamed(clients, "Thunderbird");
  ASSERT_NE(tb, nullptr);
  ASSERT_TRUE(tb->incoming.has_value());
  EXPECT_EQ(tb->incoming->host, "mail.example.com");
  EXPECT_TRUE(tb->works) << tb->reason;
  const AuditClient* outlook = ClientNamed(clients, "Outlook");
  ASSERT_NE(outlook, nullptr);
  EXPECT_FALSE(outlook->incoming.has_value());  // reads only Autodiscover
  EXPECT_FALSE(outlook->works);
  const AuditClient* aerc = ClientNamed(clients, "aerc");
  ASSERT_NE(aerc, nullptr);
  EXPECT_TRUE(aerc->works) << aerc->reason;  // SRV
}

TEST(SimulateClientsTest, HttpOnlyAutoconfigAndBrokenCertificates) {
  AuditReport r = Clean();
  for (auto& c : r.sources[0].servers)
    c.detail = "http://autoconfig.example.com/mail/config-v1.1.xml";
  auto clients = SimulateClients(r);
  EXPECT_NE(ClientNamed(clients, "Thunderbird")->reason.find("autoconfig (http)"),
            std::string::npos);
  EXPECT_FALSE(ClientNamed(clients, "Delta Chat")->incoming.has_value());  // https only
  r = Clean();
  r.endpoints[0].tls->name_ok = false;
  clients = SimulateClients(r);
  EXPECT_FALSE(ClientNamed(clients, "Thunderbird")->works);
  EXPECT_NE(ClientNamed(clients, "Thunderbird")->reason.find("certificate"), std::string::npos);
}

// tests/e2e/audit/audit_clients_test.py, a-plain.example: the real
// Thunderbird 153 and Delta Chat 2.57.0 log in over a plain entry.
TEST(SimulateClientsTest, APlainEntryWorksButTheReasonSaysInClear) {
  AuditReport r = Clean();
  r.password_given = true;
  for (auto& c : r.sources[0].servers) {
    c.security = Security::kPlain;
    c.port = c.protocol == Protocol::kImap ? 143 : 587;
  }
  r.sources.pop_back();  // no SRV
  r.endpoints = {Good(Protocol::kImap, "mail.example.com", 143, Security::kPlain, {"autoconfig"}),
                 Good(Protocol::kSmtp, "mail.example.com", 587, Security::kPlain, {"autoconfig"})};
  for (auto& e : r.endpoints) {
    e.tls.reset();
    e.check.error = Error{};
    e.check.error->kind = ErrorKind::kCleartextRefused;  // mailscout did not send the password
  }
  auto clients = SimulateClients(r);
  for (const char* name : {"Thunderbird", "Delta Chat"}) {
    const AuditClient* c = ClientNamed(clients, name);
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(c->incoming.has_value());
    EXPECT_EQ(c->incoming->port, 143);
    EXPECT_TRUE(c->works) << name << ": " << c->reason;
    EXPECT_NE(c->reason.find("in clear"), std::string::npos) << c->reason;
  }
  // Thunderbird for Android refuses a file with a plain entry.
  EXPECT_FALSE(ClientNamed(clients, "Thunderbird for Android")->incoming.has_value());
}

// tests/e2e/audit/audit_clients_test.py, c-popfirst.example: with POP3 first
// in the file, the real Thunderbird 153 configures POP3; Delta Chat and the
// others take IMAP. (RunAudit keeps each source's own order for this.)
TEST(SimulateClientsTest, ThunderbirdTakesTheFirstIncomingEntryEvenPop3) {
  AuditReport r = Clean();
  r.sources.pop_back();  // no SRV
  const std::string url = "https://autoconfig.example.com/mail/config-v1.1.xml";
  r.sources[0].servers.insert(
      r.sources[0].servers.begin(),
      Cand(Protocol::kPop3, "mail.example.com", 995, Security::kTls, Source::kAutoconfig, url));
  r.endpoints.push_back(
      Good(Protocol::kPop3, "mail.example.com", 995, Security::kTls, {"autoconfig"}));
  auto clients = SimulateClients(r);
  ASSERT_TRUE(ClientNamed(clients, "Thunderbird")->incoming.has_value());
  EXPECT_EQ(ClientNamed(clients, "Thunderbird")->incoming->protocol, Protocol::kPop3);
  EXPECT_EQ(ClientNamed(clients, "Delta Chat")->incoming->protocol, Protocol::kImap);
  EXPECT_EQ(ClientNamed(clients, "Evolution")->incoming->protocol, Protocol::kImap);
}

// tests/e2e/audit/audit_clients_test.py, _c-strictok.example: the real
// Thunderbird 153 finds nothing for a domain whose name has '_'
// (InputSanitizer.hostname); Delta Chat configures it.
TEST(SimulateClientsTest, ThunderbirdRefusesHostNamesWithUnderscore) {
  AuditReport r = Clean();
  r.domain = "_x.example.com";
  auto clients = SimulateClients(r);
  EXPECT_FALSE(ClientNamed(clients, "Thunderbird")->incoming.has_value());
  EXPECT_NE(ClientNamed(clients, "Thunderbird")->reason.find("'_'"), std::string::npos);
  EXPECT_TRUE(ClientNamed(clients, "Delta Chat")->incoming.has_value());
  r = Clean();
  for (auto& c : r.sources[0].servers) c.host = "_mail.example.com";
  clients = SimulateClients(r);
  EXPECT_FALSE(ClientNamed(clients, "Thunderbird")->incoming.has_value());
}

}  // namespace
}  // namespace mailscout
