// The Apple profile, parsed back with libplist: required keys, fresh UUIDs,
// the STARTTLS mapping and no password key.
#include <gtest/gtest.h>
#include <plist/plist.h>

#include <memory>
#include <regex>
#include <set>
#include <string>

#include "export/export_test_util.h"

namespace mailscout {
namespace {

using testing::MakeReport;
using testing::MakeSetting;

using PlistPtr = std::unique_ptr<void, decltype(&plist_free)>;

PlistPtr Parse(const std::string& xml) {
  plist_t root = nullptr;
  plist_from_xml(xml.data(), static_cast<uint32_t>(xml.size()), &root);
  return PlistPtr(root, &plist_free);
}

std::string Str(plist_t dict, const char* key) {
  plist_t node = plist_dict_get_item(dict, key);
  if (node == nullptr || plist_get_node_type(node) != PLIST_STRING) return "<missing>";
  char* value = nullptr;
  plist_get_string_val(node, &value);
  std::string out = value ? value : "";
  free(value);
  return out;
}

uint64_t Int(plist_t dict, const char* key) {
  plist_t node = plist_dict_get_item(dict, key);
  if (node == nullptr || plist_get_node_type(node) != PLIST_UINT) return 0;
  uint64_t value = 0;
  plist_get_uint_val(node, &value);
  return value;
}

int Bool(plist_t dict, const char* key) {
  plist_t node = plist_dict_get_item(dict, key);
  if (node == nullptr || plist_get_node_type(node) != PLIST_BOOLEAN) return -1;
  uint8_t value = 0;
  plist_get_bool_val(node, &value);
  return value;
}

std::set<std::string> Keys(plist_t dict) {
  std::set<std::string> keys;
  plist_dict_iter it = nullptr;
  plist_dict_new_iter(dict, &it);
  for (;;) {
    char* key = nullptr;
    plist_t value = nullptr;
    plist_dict_next_item(dict, it, &key, &value);
    if (key == nullptr) break;
    keys.insert(key);
    free(key);
  }
  free(it);
  return keys;
}

plist_t MailPayload(plist_t root) {
  plist_t content = plist_dict_get_item(root, "PayloadContent");
  if (content == nullptr || plist_array_get_size(content) != 1) return nullptr;
  return plist_array_get_item(content, 0);
}

const std::regex kUuid("[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");

TEST(MobileconfigExportTest, RequiredKeys) {
  std::string xml = testing::Write(ExportFormat::kMobileconfig, MakeReport());
  PlistPtr root = Parse(xml);
  ASSERT_NE(root.get(), nullptr) << xml;
  EXPECT_EQ(Str(root.get(), "PayloadType"), "Configuration");
  EXPECT_EQ(Int(root.get(), "PayloadVersion"), 1u);
  EXPECT_TRUE(std::regex_match(Str(root.get(), "PayloadUUID"), kUuid));
  EXPECT_NE(Str(root.get(), "PayloadIdentifier"), "<missing>");
  EXPECT_NE(Str(root.get(), "PayloadDisplayName"), "<missing>");

  plist_t mail = MailPayload(root.get());
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(Str(mail, "PayloadType"), "com.apple.mail.managed");
  EXPECT_EQ(Int(mail, "PayloadVersion"), 1u);
  EXPECT_TRUE(std::regex_match(Str(mail, "PayloadUUID"), kUuid));
  EXPECT_NE(Str(mail, "PayloadUUID"), Str(root.get(), "PayloadUUID"));
  EXPECT_EQ(Str(mail, "EmailAccountType"), "EmailTypeIMAP");
  EXPECT_EQ(Str(mail, "EmailAddress"), "alice@example.com");
  EXPECT_EQ(Str(mail, "EmailAccountName"), "Alice Example");
  EXPECT_EQ(Str(mail, "IncomingMailServerHostName"), "imap.example.com");
  EXPECT_EQ(Int(mail, "IncomingMailServerPortNumber"), 993u);
  EXPECT_EQ(Bool(mail, "IncomingMailServerUseSSL"), 1);
  EXPECT_EQ(Str(mail, "IncomingMailServerUsername"), "alice@example.com");
  EXPECT_EQ(Str(mail, "IncomingMailServerAuthentication"), "EmailAuthPassword");
  EXPECT_EQ(Str(mail, "OutgoingMailServerHostName"), "smtp.example.com");
  EXPECT_EQ(Int(mail, "OutgoingMailServerPortNumber"), 465u);
  EXPECT_EQ(Bool(mail, "OutgoingMailServerUseSSL"), 1);
  EXPECT_EQ(Str(mail, "OutgoingMailServerUsername"), "alice@example.com");
  EXPECT_EQ(Str(mail, "OutgoingMailServerAuthentication"), "EmailAuthPassword");
  EXPECT_EQ(Bool(mail, "OutgoingPasswordSameAsIncomingPassword"), 1);
}

TEST(MobileconfigExportTest, NoPasswordKey) {
  PlistPtr root = Parse(testing::Write(ExportFormat::kMobileconfig, MakeReport()));
  for (plist_t dict : {static_cast<plist_t>(root.get()), MailPayload(root.get())}) {
    for (const std::string& key : Keys(dict)) {
      if (key == "OutgoingPasswordSameAsIncomingPassword") continue;
      EXPECT_EQ(key.find("Password"), std::string::npos) << key;
    }
  }
}

TEST(MobileconfigExportTest, FreshUuidsEachTime) {
  auto a = Parse(testing::Write(ExportFormat::kMobileconfig, MakeReport()));
  auto b = Parse(testing::Write(ExportFormat::kMobileconfig, MakeReport()));
  EXPECT_NE(Str(a.get(), "PayloadUUID"), Str(b.get(), "PayloadUUID"));
  EXPECT_NE(Str(MailPayload(a.get()), "PayloadUUID"), Str(MailPayload(b.get()), "PayloadUUID"));
}

TEST(MobileconfigExportTest, InjectedUuidsAreUsed) {
  int n = 0;
  ExportOptions options;
  options.new_uuid = [&n] { return "UUID-" + std::to_string(++n); };
  auto file = WriteExport(ExportFormat::kMobileconfig, testing::Account(MakeReport()), options);
  ASSERT_TRUE(file.ok());
  auto root = Parse(file->text);
  EXPECT_EQ(Str(MailPayload(root.get()), "PayloadUUID"), "UUID-1");
  EXPECT_EQ(Str(root.get(), "PayloadUUID"), "UUID-2");
}

TEST(MobileconfigExportTest, Pop3StartTlsAndPlainMapping) {
  SetupReport report = MakeReport();
  report.recommended.incoming =
      MakeSetting(Protocol::kPop3, "pop.example.com", 110, Security::kPlain, "alice");
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 587, Security::kStartTls);
  auto file = WriteExport(ExportFormat::kMobileconfig, testing::Account(report));
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->notes.empty());
  auto root = Parse(file->text);
  plist_t mail = MailPayload(root.get());
  EXPECT_EQ(Str(mail, "EmailAccountType"), "EmailTypePOP");
  EXPECT_EQ(Bool(mail, "IncomingMailServerUseSSL"), 0);
  EXPECT_EQ(Int(mail, "IncomingMailServerPortNumber"), 110u);
  EXPECT_EQ(Bool(mail, "OutgoingMailServerUseSSL"), 1);
  EXPECT_EQ(Int(mail, "OutgoingMailServerPortNumber"), 587u);
  EXPECT_EQ(Bool(mail, "OutgoingPasswordSameAsIncomingPassword"), 0);  // usernames differ
}

TEST(MobileconfigExportTest, AmbiguousPortGetsANote) {
  SetupReport report = MakeReport();
  report.recommended.outgoing =
      MakeSetting(Protocol::kSmtp, "smtp.example.com", 465, Security::kStartTls);
  auto file = WriteExport(ExportFormat::kMobileconfig, testing::Account(report));
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->notes.size(), 1u);
  EXPECT_NE(file->notes[0].find("port 465"), std::string::npos);
}

TEST(MobileconfigExportTest, EscapesSpecialCharacters) {
  SetupReport report = MakeReport();
  report.display_name = "Tom & <Jerry>";
  report.recommended.incoming->username = "a<&>b";
  auto root = Parse(testing::Write(ExportFormat::kMobileconfig, report));
  ASSERT_NE(root.get(), nullptr);
  EXPECT_EQ(Str(MailPayload(root.get()), "EmailAccountName"), "Tom & <Jerry>");
  EXPECT_EQ(Str(MailPayload(root.get()), "IncomingMailServerUsername"), "a<&>b");
}

}  // namespace
}  // namespace mailscout
