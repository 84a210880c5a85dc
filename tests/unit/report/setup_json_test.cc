// setup JSON (report/setup_json.h): round trip and malformed input.
#include "report/setup_json.h"

#include <gtest/gtest.h>

namespace mailscout {
namespace {

SetupReport Sample() {
  SetupReport r;
  r.discovery.email = "alice@example.com";
  r.discovery.domain = "example.com";
  ServerCandidate c;
  c.protocol = Protocol::kImap;
  c.host = "imap.example.com";
  c.port = 993;
  c.security = Security::kTls;
  c.source = Source::kSrv;
  c.trust = Trust::kUnauthenticated;
  c.detail = "SRV _imaps._tcp.example.com";
  r.discovery.candidates.push_back(c);
  r.discovery.sources.push_back({"srv", "found", 4, "2 records"});
  r.discovery.warnings.push_back("from discovery");
  r.warnings.push_back("from setup");
  CheckResult check;
  check.protocol = Protocol::kImap;
  check.host = "imap.example.com";
  check.port = 993;
  check.username = "alice";
  check.ok = check.login_attempted = check.login_ok = true;
  check.auth_used = "PLAIN";
  r.checks.push_back(check);
  CheckResult bad = check;
  bad.port = 143;
  bad.security = Security::kStartTls;
  bad.ok = bad.login_ok = false;
  bad.error = Error::Make(ErrorKind::kAuth, "rejected", "a NO nope", Phase::kAuth);
  r.checks.push_back(bad);
  Setting in;
  in.protocol = Protocol::kImap;
  in.host = "imap.example.com";
  in.port = 993;
  in.security = Security::kTls;
  in.username = "alice";
  in.auth = "password-cleartext";
  in.verified = true;
  in.source = Source::kSrv;
  in.reason = "because";
  r.recommended.incoming = in;
  Setting out = in;
  out.protocol = Protocol::kSmtp;
  out.host = "smtp.example.com";
  out.port = 587;
  out.security = Security::kStartTls;
  r.recommended.outgoing = out;
  Setting alt = out;
  alt.port = 465;
  alt.security = Security::kTls;
  r.recommended.outgoing_alternatives.push_back(alt);
  r.password_given = true;
  r.display_name = "Alice";
  r.ms = 87;
  return r;
}

TEST(SetupJsonTest, RoundTrip) {
  std::string text = SetupToJsonText(Sample());
  Result<SetupReport> back = SetupFromJsonText(text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(SetupToJsonText(back.value()), text);
  const SetupReport& r = back.value();
  EXPECT_EQ(r.discovery.email, "alice@example.com");
  ASSERT_EQ(r.checks.size(), 2u);
  EXPECT_EQ(r.checks[1].error->kind, ErrorKind::kAuth);
  ASSERT_TRUE(r.recommended.incoming);
  EXPECT_EQ(r.recommended.incoming->username, "alice");
  EXPECT_TRUE(r.recommended.incoming->verified);
  ASSERT_TRUE(r.recommended.outgoing);
  EXPECT_EQ(r.recommended.outgoing->security, Security::kStartTls);
  ASSERT_EQ(r.recommended.outgoing_alternatives.size(), 1u);
  EXPECT_EQ(r.recommended.outgoing_alternatives[0].port, 465);
  EXPECT_EQ(r.warnings, (std::vector<std::string>{"from discovery", "from setup"}));
  EXPECT_TRUE(r.password_given);
  EXPECT_EQ(r.display_name, "Alice");
  EXPECT_EQ(r.ms, 87);
}

TEST(SetupJsonTest, TopLevelFields) {
  Poco::JSON::Object::Ptr o = ToJson(Sample());
  for (const char* key : {"email", "domain", "candidates", "sources", "provider", "ok",
                          "password_given", "checks", "recommended", "warnings"}) {
    EXPECT_TRUE(o->has(key)) << key;
  }
  EXPECT_TRUE(o->getValue<bool>("ok"));
  auto rec = o->getObject("recommended");
  auto in = rec->getObject("incoming");
  for (const char* key : {"protocol", "host", "port", "security", "username", "auth", "verified"}) {
    EXPECT_TRUE(in->has(key)) << key;
  }
  EXPECT_EQ(in->getValue<std::string>("security"), "tls");
}

TEST(SetupJsonTest, MissingSideIsNull) {
  SetupReport r = Sample();
  r.recommended.outgoing.reset();
  Poco::JSON::Object::Ptr o = ToJson(r);
  EXPECT_TRUE(o->getObject("recommended")->isNull("outgoing"));
  EXPECT_FALSE(o->getValue<bool>("ok"));
  auto back = SetupFromJsonText(SetupToJsonText(r));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->recommended.outgoing);
}

TEST(SetupJsonTest, MalformedInputIsAnErrorNotACrash) {
  EXPECT_FALSE(SetupFromJsonText("").ok());
  EXPECT_FALSE(SetupFromJsonText("[1,2]").ok());
  EXPECT_FALSE(SetupFromJsonText("{\"email\": 3}").ok());
  std::string text = SetupToJsonText(Sample());
  std::string no_rec = text;
  no_rec.replace(no_rec.find("\"recommended\""), 13, "\"recommendedX\"");
  auto r = SetupFromJsonText(no_rec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("recommended"), std::string::npos);
  std::string bad_port = text;
  size_t at = bad_port.find("\"port\": 587");
  ASSERT_NE(at, std::string::npos) << text;
  bad_port.replace(at, 11, "\"port\": 70000");
  EXPECT_FALSE(SetupFromJsonText(bad_port).ok());
}

}  // namespace
}  // namespace mailscout
