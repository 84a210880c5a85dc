#include "serve/site.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace mailscout {
namespace {

namespace fs = std::filesystem;

const char* kGood = R"(<?xml version="1.0"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <domain>Example.NET</domain>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="exchange"><hostname>ews.example.com</hostname></incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.com</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
)";

std::string ErrorOf(const std::string& xml) {
  auto parsed = Site::ParseFile("site/x.xml", xml);
  return parsed.ok() ? "" : parsed.error().message;
}

TEST(SiteTest, ParsesAGoodFileAndExpandsPlaceholders) {
  auto parsed = Site::ParseFile("site/x.xml", kGood);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1U);
  EXPECT_NE(parsed->front().xml.find("%EMAILLOCALPART%"), std::string::npos);  // kept for clients
  SiteSettings s = SettingsFor(parsed->front(), EmailAddress::Parse("alice@example.net").value());
  ASSERT_EQ(s.incoming.size(), 1U);
  EXPECT_EQ(s.incoming[0].host, "imap.example.net");
  EXPECT_EQ(s.incoming[0].username, "alice");
  ASSERT_EQ(s.outgoing.size(), 1U);
  EXPECT_EQ(s.outgoing[0].security, Security::kStartTls);
  EXPECT_EQ(s.outgoing[0].username, "alice@example.net");
}

TEST(SiteTest, RefusesWithPathLineAndReason) {
  std::string bad_port = kGood;
  bad_port.replace(bad_port.find("<port>993"), 9, "<port>99999");
  EXPECT_EQ(ErrorOf(bad_port), "site/x.xml:7: <port> '99999' is not a port number (1-65535)");
  std::string unclosed = kGood;
  unclosed.replace(unclosed.find("</hostname><port>587"), 11, "");
  EXPECT_EQ(ErrorOf(unclosed).rfind("site/x.xml:", 0), 0U);
  EXPECT_NE(ErrorOf(unclosed).find("not well-formed XML"), std::string::npos);
  std::string no_smtp = kGood;
  no_smtp.replace(no_smtp.find("type=\"smtp\""), 11, "type=\"ews\"");
  EXPECT_EQ(ErrorOf(no_smtp), "site/x.xml:3: <emailProvider> has no SMTP <outgoingServer>");
  EXPECT_NE(ErrorOf("<!DOCTYPE x [<!ENTITY a \"b\">]><clientConfig/>").find("DTD"),
            std::string::npos);
  EXPECT_NE(ErrorOf("<clientConfig><emailProvider id=\"x\"></emailProvider></clientConfig>")
                .find("no <domain>"),
            std::string::npos);
  std::string bad_socket = kGood;
  bad_socket.replace(bad_socket.find("STARTTLS"), 8, "TLSv9");
  EXPECT_EQ(ErrorOf(bad_socket), "site/x.xml:12: <socketType> must be SSL, STARTTLS or plain")
      << ErrorOf(bad_socket);
}

class SiteDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mailscout-site-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(SiteDirTest, LoadsEveryFileAndFindsByAsciiDomain) {
  Write("a.xml", kGood);
  Write("b.xml",
        "<clientConfig><emailProvider id=\"r\"><domain>old.example</domain>"
        "<redirectDomain>example.com</redirectDomain></emailProvider></clientConfig>");
  Write("ignored.txt", "not xml");
  auto site = Site::Load(dir_.string());
  ASSERT_TRUE(site.ok()) << site.error().message;
  EXPECT_EQ(site.value()->file_count(), 2U);
  EXPECT_EQ(site.value()->Domains(),
            (std::vector<std::string>{"example.com", "example.net", "old.example"}));
  ASSERT_NE(site.value()->Find("old.example"), nullptr);
  EXPECT_EQ(site.value()->Find("old.example")->redirect_domain, "example.com");
  EXPECT_EQ(site.value()->Find("nope.example"), nullptr);
}

TEST_F(SiteDirTest, TwoFilesServingOneDomainIsAnError) {
  Write("a.xml", kGood);
  Write("b.xml", kGood);
  auto site = Site::Load(dir_.string());
  ASSERT_FALSE(site.ok());
  EXPECT_NE(site.error().message.find("already served by"), std::string::npos);
  EXPECT_EQ(site.error().kind, ErrorKind::kUsage);
}

TEST_F(SiteDirTest, MissingFolderIsAnError) {
  auto site = Site::Load((dir_ / "nope").string());
  ASSERT_FALSE(site.ok());
  EXPECT_NE(site.error().message.find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace mailscout
