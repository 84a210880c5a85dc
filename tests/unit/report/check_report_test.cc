// The JSON schema of a check (check_json, both directions) and the text
// report (check_text). The helpdesk wording is tested in
// tests/unit/verify/check_errors_test.cc.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include <Poco/JSON/Parser.h>

#include "report/check_json.h"
#include "report/check_text.h"

namespace mailscout {
namespace {

CheckResult Sample() {
  CheckResult c;
  c.protocol = Protocol::kSmtp;
  c.host = "smtp.example.com";
  c.port = 587;
  c.security = Security::kStartTls;
  c.username = "alice";
  c.address = "192.0.2.7";
  c.ok = false;
  c.error = Error::Make(ErrorKind::kAuth, "The server rejected the password for alice",
                        "535 5.7.8 nope", Phase::kAuth);
  TlsInfo tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_256_GCM_SHA384";
  tls.subject = "CN=smtp.example.com";
  tls.issuer = "CN=Example CA";
  tls.sans = {"smtp.example.com", "*.example.com"};
  tls.not_before = "2024-01-01T00:00:00Z";
  tls.not_after = "2030-01-01T00:00:00Z";
  tls.chain_ok = true;
  tls.name_ok = true;
  c.tls = tls;
  c.greeting = "220 smtp.example.com ESMTP";
  c.capabilities = {"PIPELINING", "AUTH PLAIN LOGIN"};
  c.auth_mechanisms = {"PLAIN", "LOGIN"};
  c.auth_used = "PLAIN";
  c.auth_reply = "535 5.7.8 nope";
  c.login_attempted = true;
  c.timings = {
      {Phase::kResolve, 1}, {Phase::kConnect, 2}, {Phase::kGreeting, 3}, {Phase::kAuth, 4}};
  c.ms = 10;
  c.warnings = {"something odd"};
  c.transcript = {"C: AUTH PLAIN ***", "S: 535 5.7.8 nope"};
  return c;
}

TEST(CheckJsonTest, SchemaFieldsAndRoundTrip) {
  const CheckResult original = Sample();
  Poco::JSON::Object::Ptr o = ToJson(original);
  for (const char* key : {"protocol", "host", "port", "security", "username", "ok", "error", "tls",
                          "capabilities", "auth_mechanisms", "auth_used", "ms", "timings"}) {
    EXPECT_TRUE(o->has(key)) << key;
  }
  EXPECT_EQ(o->getValue<std::string>("protocol"), "smtp");
  EXPECT_EQ(o->getValue<std::string>("security"), "starttls");
  EXPECT_EQ(o->getObject("error")->getValue<std::string>("kind"), "auth");
  EXPECT_EQ(o->getObject("timings")->getValue<int>("auth"), 4);

  // Through text and back, as `export --from` will read it.
  std::ostringstream text;
  o->stringify(text);
  Poco::JSON::Parser parser;
  auto parsed = parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
  Result<CheckResult> back = FromJson(parsed);
  ASSERT_TRUE(back.ok()) << back.error().message;
  const CheckResult& c = back.value();
  EXPECT_EQ(c.protocol, original.protocol);
  EXPECT_EQ(c.host, original.host);
  EXPECT_EQ(c.port, original.port);
  EXPECT_EQ(c.security, original.security);
  EXPECT_EQ(c.username, original.username);
  EXPECT_EQ(c.ok, original.ok);
  ASSERT_TRUE(c.error.has_value());
  EXPECT_EQ(c.error->kind, ErrorKind::kAuth);
  EXPECT_EQ(c.error->server_reply, "535 5.7.8 nope");
  EXPECT_EQ(c.error->phase, Phase::kAuth);
  ASSERT_TRUE(c.tls.has_value());
  EXPECT_EQ(c.tls->sans, original.tls->sans);
  EXPECT_EQ(c.tls->not_after, original.tls->not_after);
  EXPECT_TRUE(c.tls->chain_ok);
  EXPECT_EQ(c.capabilities, original.capabilities);
  EXPECT_EQ(c.auth_mechanisms, original.auth_mechanisms);
  EXPECT_EQ(c.auth_used, "PLAIN");
  EXPECT_TRUE(c.login_attempted);
  // Phase -> ms; the order of JSON keys is not something readers keep.
  std::map<std::string, int64_t> timings;
  for (const auto& t : c.timings) timings[std::string(ToString(t.phase))] = t.ms;
  EXPECT_EQ(timings, (std::map<std::string, int64_t>{
                         {"resolve", 1}, {"connect", 2}, {"greeting", 3}, {"auth", 4}}));
  EXPECT_EQ(c.ms, 10);
  EXPECT_EQ(c.warnings, original.warnings);
  EXPECT_EQ(c.transcript, original.transcript);
}

// error.dns is written only when the resolver said what its answer meant,
// after the other error fields, and read back; nothing else changes.
TEST(CheckJsonTest, DnsOutcomeInTheError) {
  CheckResult c;
  c.host = "nope.example";
  c.port = 993;
  c.error = Error::Make(ErrorKind::kDns, "The name nope.example does not exist (NXDOMAIN)", {},
                        Phase::kResolve);
  c.error->dns = DnsOutcome::kNxDomain;
  std::ostringstream text;
  ToJson(*c.error)->stringify(text);
  EXPECT_EQ(text.str(),
            R"json({"kind":"dns","message":"The name nope.example does not exist (NXDOMAIN)",)json"
            R"json("server_reply":null,"phase":"resolve","dns":"nxdomain"})json");
  Result<CheckResult> back = FromJson(ToJson(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  ASSERT_TRUE(back->error.has_value());
  EXPECT_EQ(back->error->dns, DnsOutcome::kNxDomain);
  EXPECT_EQ(back->error->phase, Phase::kResolve);

  for (DnsOutcome o : {DnsOutcome::kNoRecords, DnsOutcome::kResolverFailure}) {
    c.error->dns = o;
    Poco::JSON::Object::Ptr error = ToJson(c)->getObject("error");
    EXPECT_EQ(error->getValue<std::string>("dns"), ToString(o));
    EXPECT_EQ(FromJson(ToJson(c))->error->dns, o);
  }

  // Without an outcome (every other kind) there is no "dns" key at all.
  Error timeout = Error::Make(ErrorKind::kTimeout, "slow", {}, Phase::kGreeting);
  std::ostringstream plain;
  ToJson(timeout)->stringify(plain);
  EXPECT_EQ(plain.str(),
            R"({"kind":"timeout","message":"slow","server_reply":null,"phase":"greeting"})");
  c.error = timeout;
  EXPECT_EQ(FromJson(ToJson(c))->error->dns, std::nullopt);
}

TEST(CheckJsonTest, NullsForMissingParts) {
  CheckResult ok;
  ok.host = "h";
  ok.port = 993;
  ok.ok = true;
  auto o = ToJson(ok);
  EXPECT_TRUE(o->isNull("error"));
  EXPECT_TRUE(o->isNull("tls"));
  EXPECT_TRUE(o->isNull("auth_used"));
  EXPECT_FALSE(o->has("transcript"));
  Result<CheckResult> back = FromJson(o);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->error.has_value());
  EXPECT_FALSE(back->tls.has_value());
}

TEST(CheckJsonTest, RejectsBrokenInput) {
  Poco::JSON::Parser parser;
  for (const char* bad : {
           R"({"host":"h","port":993,"security":"tls","ok":true})",  // no protocol
           R"({"protocol":"gopher","host":"h","port":993,"security":"tls","ok":true})",  // unknown
           R"({"protocol":"imap","host":"h","port":99999,"security":"tls","ok":true})",
           R"({"protocol":"imap","host":"h","port":"993","security":"tls","ok":true})",
           R"({"protocol":"imap","host":"h","port":993,"security":"tls"})",
           R"({"protocol":"imap","host":"h","port":993,"security":"tls","ok":false,
               "error":{"kind":"oops"}})",
       }) {
    auto o = parser.parse(bad).extract<Poco::JSON::Object::Ptr>();
    EXPECT_FALSE(FromJson(o).ok()) << bad;
  }
  EXPECT_FALSE(FromJson(nullptr).ok());
}

TEST(CheckJsonTest, SeveralChecksAreWrapped) {
  CheckResult a = Sample();
  CheckResult b = Sample();
  b.ok = true;
  b.error.reset();
  const std::string one = ChecksToJsonText({b});
  EXPECT_EQ(one.find("\"checks\""), std::string::npos);
  const std::string two = ChecksToJsonText({a, b});
  Poco::JSON::Parser parser;
  auto o = parser.parse(two).extract<Poco::JSON::Object::Ptr>();
  EXPECT_FALSE(o->getValue<bool>("ok"));
  EXPECT_EQ(o->getArray("checks")->size(), 2u);
}

TEST(CheckTextTest, VerdictLineAndDetails) {
  const CheckResult c = Sample();
  const std::string text = CheckText(c);
  EXPECT_EQ(text.rfind("[FAIL] SMTP smtp.example.com:587 STARTTLS  alice  auth  (10 ms)\n", 0), 0u)
      << text;
  EXPECT_NE(text.find("The server rejected the password for alice"), std::string::npos);
  EXPECT_NE(text.find("server said: 535 5.7.8 nope"), std::string::npos);
  EXPECT_NE(text.find("TLSv1.3 TLS_AES_256_GCM_SHA384"), std::string::npos);
  EXPECT_NE(text.find("chain: trusted; name: matches"), std::string::npos);
  EXPECT_NE(text.find("resolve 1 ms, connect 2 ms"), std::string::npos);
  EXPECT_NE(text.find("C: AUTH PLAIN ***"), std::string::npos);
  CheckResult ok = Sample();
  ok.ok = true;
  ok.error.reset();
  ok.login_ok = true;
  EXPECT_NE(CheckVerdictLine(ok).find("[PASS]"), std::string::npos);
  EXPECT_NE(CheckVerdictLine(ok).find("logged in with PLAIN"), std::string::npos);
  EXPECT_NE(ChecksText({c, ok}).find("1 of 2 checks passed"), std::string::npos);
}

TEST(CheckTextTest, NotTriedIsPrintable) {
  CheckResult c;
  c.host = "imap.example.com";
  c.port = 993;
  c.error = Error::Make(ErrorKind::kNotTried, "Not tried: the login policy skipped it", "",
                        Phase::kSkipped);
  const std::string line = CheckVerdictLine(c);
  EXPECT_NE(line.find("not-tried"), std::string::npos) << line;
  EXPECT_NE(CheckText(c, {}).find("Not tried: the login policy skipped it"), std::string::npos);
}

}  // namespace
}  // namespace mailscout
