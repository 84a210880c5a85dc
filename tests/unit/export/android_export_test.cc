// Thunderbird for Android's QR payload ("Export for Mobile" QR code format,
// version 1): golden JSON for each kind of account, read back field by field
// with the specification's reader rules and compared with its examples.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <string>

#include "export/export_test_util.h"
#include "export/writers.h"

namespace mailscout {
namespace {

using testing::MakeReport;
using testing::MakeSetting;

// One server as the specification names its elements; an omitted optional
// element reads as "" (the reader rules treat omitted, null and "" alike).
struct SpecServer {
  int protocol = -1;
  std::string hostname;
  int port = 0;
  int connection_security = -1;
  int authentication_type = -1;
  std::string username;
  std::string account_name;  // incoming only; "" means: the identity's address
  std::string password;
};

struct SpecAccount {
  int format_version = 0;
  int sequence_number = 0;
  int sequence_end = 0;
  SpecServer incoming;
  SpecServer outgoing;
  std::string email;
  std::string display_name;
  size_t groups = 0;
  size_t incoming_size = 0;
  size_t outgoing_size = 0;
};

std::string OptionalString(const Poco::JSON::Array::Ptr& a, unsigned i) {
  if (i >= a->size() || a->isNull(i)) return "";
  return a->getElement<std::string>(i);
}

SpecServer ReadServer(const Poco::JSON::Array::Ptr& a, bool incoming) {
  SpecServer s;
  s.protocol = a->getElement<int>(0);
  s.hostname = a->getElement<std::string>(1);
  s.port = a->getElement<int>(2);
  s.connection_security = a->getElement<int>(3);
  s.authentication_type = a->getElement<int>(4);
  s.username = a->getElement<std::string>(5);
  if (incoming) {
    s.account_name = OptionalString(a, 6);
    s.password = OptionalString(a, 7);
  } else {
    s.password = OptionalString(a, 6);
  }
  return s;
}

// Reads the first account of a payload.
SpecAccount Read(const std::string& json) {
  Poco::JSON::Parser parser;
  auto root = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
  SpecAccount a;
  a.format_version = root->getElement<int>(0);
  auto misc = root->getArray(1);
  a.sequence_number = misc->getElement<int>(0);
  a.sequence_end = misc->getElement<int>(1);
  auto incoming = root->getArray(2);
  a.incoming_size = incoming->size();
  a.incoming = ReadServer(incoming, true);
  auto groups = root->getArray(3);
  a.groups = groups->size();
  auto group = groups->getArray(0);
  auto outgoing = group->getArray(0);
  a.outgoing_size = outgoing->size();
  a.outgoing = ReadServer(outgoing, false);
  auto identity = group->getArray(1);
  a.email = identity->getElement<std::string>(0);
  a.display_name = identity->getElement<std::string>(1);
  if (a.incoming.account_name.empty()) a.incoming.account_name = a.email;
  return a;
}

void ExpectSameServer(const SpecServer& got, const SpecServer& want) {
  EXPECT_EQ(got.protocol, want.protocol) << "Protocol";
  EXPECT_EQ(got.hostname, want.hostname) << "Hostname";
  EXPECT_EQ(got.port, want.port) << "Port";
  EXPECT_EQ(got.connection_security, want.connection_security) << "ConnectionSecurity";
  EXPECT_EQ(got.authentication_type, want.authentication_type) << "AuthenticationType";
  EXPECT_EQ(got.username, want.username) << "Username";
  EXPECT_EQ(got.account_name, want.account_name) << "AccountName";
  EXPECT_EQ(got.password, want.password) << "Password";
}

void ExpectSameAccount(const SpecAccount& got, const SpecAccount& want) {
  EXPECT_EQ(got.format_version, want.format_version) << "FormatVersion";
  EXPECT_EQ(got.sequence_number, want.sequence_number) << "SequenceNumber";
  EXPECT_EQ(got.sequence_end, want.sequence_end) << "SequenceEnd";
  {
    SCOPED_TRACE("IncomingServer");
    ExpectSameServer(got.incoming, want.incoming);
  }
  {
    SCOPED_TRACE("OutgoingServer");
    ExpectSameServer(got.outgoing, want.outgoing);
  }
  EXPECT_EQ(got.email, want.email) << "EmailAddress";
  EXPECT_EQ(got.display_name, want.display_name) << "DisplayName";
}

std::string Payload(const SetupReport& report) {
  Result<std::string> payload = AndroidPayload(testing::Account(report));
  if (!payload.ok()) throw std::runtime_error(payload.error().message);
  return payload.value();
}

// The specification's example "One IMAP account", verbatim.
const char* kSpecOneImapAccount = R"([
  1,
  [1, 1],
  [0, "imap.domain.example", 993, 3, 1, "user@domain.example"],
  [
    [
      [0, "smtp.domain.example", 465, 3, 1, "user@domain.example"],
      ["user@domain.example", "Jane Doe"]
    ]
  ]
])";

// The first account of the specification's example "Two IMAP accounts"
// (sequence 1 of 2), verbatim.
const char* kSpecOAuthAccount = R"([
  1,
  [1, 2],
  [
    0,
    "imap.company.example",
    993,
    3,
    6,
    "user@company.example",
    "user@company.example",
    ""
  ],
  [
    [
      [0, "smtp.company.example", 465, 3, 6, "user@company.example", ""],
      ["user@company.example", "Jane Doe"]
    ]
  ]
])";

SetupReport OneAccount(const std::string& email, const std::string& in_host,
                       const std::string& out_host, const std::string& name) {
  SetupReport report;
  report.discovery.email = email;
  report.discovery.domain = email.substr(email.find('@') + 1);
  report.display_name = name;
  report.recommended.incoming = MakeSetting(Protocol::kImap, in_host, 993, Security::kTls, email);
  report.recommended.outgoing = MakeSetting(Protocol::kSmtp, out_host, 465, Security::kTls, email);
  return report;
}

// IMAP with implicit TLS: exactly the specification's first example, byte
// for byte once its whitespace is gone, and element by element.
TEST(AndroidExportTest, ImapTlsIsTheSpecificationsExample) {
  SetupReport report =
      OneAccount("user@domain.example", "imap.domain.example", "smtp.domain.example", "Jane Doe");
  const std::string payload = Payload(report);
  EXPECT_EQ(payload, R"([1,[1,1],[0,"imap.domain.example",993,3,1,"user@domain.example"],)"
                     R"([[[0,"smtp.domain.example",465,3,1,"user@domain.example"],)"
                     R"(["user@domain.example","Jane Doe"]]]])");
  SpecAccount got = Read(payload);
  ExpectSameAccount(got, Read(kSpecOneImapAccount));
  // Written as the example: no AccountName, no Password element at all.
  EXPECT_EQ(got.incoming_size, 6u);
  EXPECT_EQ(got.outgoing_size, 6u);
  EXPECT_EQ(got.groups, 1u);
}

// The alternatives never reach the code: one account, the recommended servers.
TEST(AndroidExportTest, OnlyTheRecommendedServers) {
  const std::string payload = Payload(MakeReport());
  EXPECT_EQ(payload, R"([1,[1,1],[0,"imap.example.com",993,3,1,"alice@example.com"],)"
                     R"([[[0,"smtp.example.com",465,3,1,"alice@example.com"],)"
                     R"(["alice@example.com","Alice Example"]]]])");
  EXPECT_EQ(payload.find("143"), std::string::npos);
  EXPECT_EQ(payload.find("587"), std::string::npos);
}

// POP3 (--prefer pop3) with STARTTLS on both sides: protocol 1, security 2.
TEST(AndroidExportTest, Pop3StartTls) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 110, Security::kStartTls);
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  const std::string payload = Payload(report);
  EXPECT_EQ(payload, R"([1,[1,1],[1,"pop.example.com",110,2,1,"alice@example.com"],)"
                     R"([[[0,"smtp.example.com",587,2,1,"alice@example.com"],)"
                     R"(["alice@example.com","Alice Example"]]]])");
  SpecAccount got = Read(payload);
  EXPECT_EQ(got.incoming.protocol, 1);             // POP3
  EXPECT_EQ(got.incoming.connection_security, 2);  // AlwaysStartTls
  EXPECT_EQ(got.outgoing.connection_security, 2);
}

// OAuth2 (AuthenticationType 6) is the first account of the specification's
// second example; its AccountName (the address) and empty Password equal our
// omitted ones under the reader rules.
TEST(AndroidExportTest, OAuth2IsTheSpecificationsCompanyAccount) {
  SetupReport report = OneAccount("user@company.example", "imap.company.example",
                                  "smtp.company.example", "Jane Doe");
  report.recommended.incoming->auth = "OAuth2";
  report.recommended.outgoing->auth = "OAuth2";
  const std::string payload = Payload(report);
  EXPECT_EQ(payload, R"([1,[1,1],[0,"imap.company.example",993,3,6,"user@company.example"],)"
                     R"([[[0,"smtp.company.example",465,3,6,"user@company.example"],)"
                     R"(["user@company.example","Jane Doe"]]]])");
  SpecAccount got = Read(payload);
  SpecAccount want = Read(kSpecOAuthAccount);
  EXPECT_EQ(want.sequence_end, 2);  // the example is the first of two codes; ours is 1 of 1
  want.sequence_end = 1;
  ExpectSameAccount(got, want);
}

// The username exactly as verified: the local part where only that worked;
// the identity keeps the full address.
TEST(AndroidExportTest, LocalPartUsername) {
  SetupReport report = MakeReport();
  report.recommended.incoming->username = "alice";
  report.recommended.outgoing->username = "alice";
  const std::string payload = Payload(report);
  EXPECT_EQ(payload, R"([1,[1,1],[0,"imap.example.com",993,3,1,"alice"],)"
                     R"([[[0,"smtp.example.com",465,3,1,"alice"],)"
                     R"(["alice@example.com","Alice Example"]]]])");
  SpecAccount got = Read(payload);
  EXPECT_EQ(got.incoming.username, "alice");
  EXPECT_EQ(got.outgoing.username, "alice");
  EXPECT_EQ(got.email, "alice@example.com");
}

// Host names and the address's domain in A-label form; the format takes
// ASCII host names only.
TEST(AndroidExportTest, IdnHostAsALabels) {
  SetupReport report = OneAccount("alice@bücher.example", "imap.bücher.example",
                                  "smtp.xn--bcher-kva.example", "Alice");
  report.discovery.domain = "xn--bcher-kva.example";
  report.recommended.incoming->username = "alice@xn--bcher-kva.example";
  report.recommended.outgoing->username = "alice@xn--bcher-kva.example";
  const std::string payload = Payload(report);
  EXPECT_EQ(payload,
            R"([1,[1,1],[0,"imap.xn--bcher-kva.example",993,3,1,"alice@xn--bcher-kva.example"],)"
            R"([[[0,"smtp.xn--bcher-kva.example",465,3,1,"alice@xn--bcher-kva.example"],)"
            R"(["alice@xn--bcher-kva.example","Alice"]]]])");
  for (unsigned char c : payload) EXPECT_LT(c, 0x80) << payload;
}

// An address whose local part is not ASCII cannot be written: a usage error
// that says why (exit status 2 in the commands).
TEST(AndroidExportTest, NonAsciiAddressIsAUsageError) {
  SetupReport report = OneAccount("jörg@example.com", "imap.example.com", "smtp.example.com", "");
  Result<std::string> payload = AndroidPayload(testing::Account(report));
  ASSERT_FALSE(payload.ok());
  EXPECT_EQ(payload.error().kind, ErrorKind::kUsage);
  EXPECT_NE(payload.error().message.find("ASCII"), std::string::npos);
  for (ExportFormat f : {ExportFormat::kAndroidJson, ExportFormat::kAndroidQr}) {
    Status fits = CheckAddressForFormat(f, "jörg@example.com");
    ASSERT_FALSE(fits.ok());
    EXPECT_EQ(fits.error().kind, ErrorKind::kUsage);
    EXPECT_TRUE(CheckAddressForFormat(f, "jorg@bücher.example").ok());
  }
  EXPECT_TRUE(CheckAddressForFormat(ExportFormat::kMobileconfig, "jörg@example.com").ok());
}

// Without --name the identity's DisplayName is empty, not the address again.
TEST(AndroidExportTest, NoNameGivesAnEmptyDisplayName) {
  SetupReport report = MakeReport();
  report.display_name.clear();
  EXPECT_EQ(Read(Payload(report)).display_name, "");
}

// JSON escaping of names (quote, backslash, control-free UTF-8 kept as is).
TEST(AndroidExportTest, NamesAreJsonStrings) {
  SetupReport report = MakeReport();
  report.display_name = "Zoë \"Z\" Back\\slash";
  const std::string payload = Payload(report);
  EXPECT_NE(payload.find(R"(["alice@example.com","Zoë \"Z\" Back\\slash"])"), std::string::npos)
      << payload;
  EXPECT_EQ(Read(payload).display_name, "Zoë \"Z\" Back\\slash");
}

TEST(AndroidExportTest, SecurityAndAuthenticationNumbers) {
  SetupReport report = MakeReport();
  report.recommended.incoming->security = Security::kPlain;
  report.recommended.incoming->port = 143;
  report.recommended.incoming->auth = "password-encrypted";
  report.recommended.outgoing->auth = "";  // unknown: a normal password
  SpecAccount got = Read(Payload(report));
  EXPECT_EQ(got.incoming.connection_security, 0);
  EXPECT_EQ(got.incoming.authentication_type, 2);
  EXPECT_EQ(got.outgoing.authentication_type, 1);

  report.recommended.outgoing->auth = "NTLM";  // Thunderbird for Android cannot
  Result<std::string> ntlm = AndroidPayload(testing::Account(report));
  ASSERT_FALSE(ntlm.ok());
  EXPECT_NE(ntlm.error().message.find("NTLM"), std::string::npos);
}

// android-json is the code's content byte for byte: no line break after it.
TEST(AndroidExportTest, JsonFileIsExactlyThePayload) {
  const std::string text = testing::Write(ExportFormat::kAndroidJson, MakeReport());
  EXPECT_EQ(text, Payload(MakeReport()));
}

}  // namespace
}  // namespace mailscout
