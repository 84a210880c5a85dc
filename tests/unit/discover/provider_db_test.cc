#include "discover/provider_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace mailscout {
namespace {

namespace fs = std::filesystem;

class ProviderDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mailscout-providers-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "extra");
    fs::create_directories(dir_ / "bundled");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  static std::string Config(const std::string& domain, const std::string& host) {
    return "<clientConfig><emailProvider id='" + domain + "'><domain>" + domain +
           "</domain><displayName>" + host +
           "</displayName><incomingServer type='imap'>"
           "<hostname>" +
           host +
           "</hostname><port>993</port><socketType>SSL</socketType>"
           "</incomingServer></emailProvider></clientConfig>";
  }
  fs::path dir_;
};

TEST_F(ProviderDbTest, EarlierDirectoriesWin) {
  Write("extra/a.xml", Config("shared.example", "imap.extra.example"));
  Write("bundled/a.xml", Config("shared.example", "imap.bundled.example"));
  Write("bundled/b.xml", Config("only-bundled.example", "imap.b.example"));
  auto db = ProviderDb::Load({(dir_ / "extra").string(), (dir_ / "bundled").string()});
  ASSERT_TRUE(db.ok());
  ASSERT_NE(db->Find("shared.example"), nullptr);
  EXPECT_EQ(db->Find("shared.example")->config.servers[0].hostname, "imap.extra.example");
  ASSERT_NE(db->Find("only-bundled.example"), nullptr);
  EXPECT_EQ(db->Find("nothing.example"), nullptr);
  EXPECT_EQ(db->size(), 3u);
}

TEST_F(ProviderDbTest, BadFilesAreWarningsNotErrors) {
  Write("extra/bad.xml", "<clientConfig><emailProvider>");
  Write("extra/readme.txt", "not xml");
  Write("extra/good.xml", Config("good.example", "imap.good.example"));
  auto db = ProviderDb::Load({(dir_ / "extra").string()});
  ASSERT_TRUE(db.ok());
  EXPECT_NE(db->Find("good.example"), nullptr);
  ASSERT_EQ(db->warnings().size(), 1u);
  EXPECT_NE(db->warnings()[0].find("bad.xml"), std::string::npos);
}

TEST_F(ProviderDbTest, MissingDirectory) {
  auto db = ProviderDb::Load({(dir_ / "nope").string()});
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("does not exist"), std::string::npos);
  auto tolerant = ProviderDb::Load({(dir_ / "extra").string(), (dir_ / "nope").string()}, true);
  ASSERT_TRUE(tolerant.ok());
  EXPECT_EQ(tolerant->warnings().size(), 1u);
}

TEST_F(ProviderDbTest, UnicodeDomainsAreIndexedAsALabels) {
  fs::copy_file(CorpusPath("clientconfig/idn.xml"), dir_ / "extra" / "idn.xml");
  auto db = ProviderDb::Load({(dir_ / "extra").string()});
  ASSERT_TRUE(db.ok());
  EXPECT_NE(db->Find("xn--bcher-kva.example"), nullptr);
}

// Find() parses only the files whose text can name the domain; a domain
// written with upper case, character references or CDATA must still be found,
// and in the same file as a full parse would find it.
TEST_F(ProviderDbTest, DomainsSpelledIndirectlyAreFound) {
  auto config = [](const std::string& domain_xml, const std::string& host) {
    return "<clientConfig><emailProvider id='x'><domain>" + domain_xml +
           "</domain><incomingServer type='imap'><hostname>" + host +
           "</hostname><port>993</port><socketType>SSL</socketType>"
           "</incomingServer></emailProvider></clientConfig>";
  };
  Write("extra/a.xml", config("  UPPER.Example. ", "imap.upper.example"));
  Write("extra/b.xml", config("ent&#105;ty&#x2e;example", "imap.entity.example"));
  Write("extra/c.xml", config("<![CDATA[cdata.example]]>", "imap.cdata.example"));
  Write("extra/d.xml", config("am&amp;p.example", "imap.amp.example"));
  auto db = ProviderDb::Load({(dir_ / "extra").string()});
  ASSERT_TRUE(db.ok());
  ASSERT_NE(db->Find("upper.example"), nullptr);
  EXPECT_EQ(db->Find("upper.example")->config.servers[0].hostname, "imap.upper.example");
  ASSERT_NE(db->Find("entity.example"), nullptr);
  EXPECT_EQ(db->Find("entity.example")->config.servers[0].hostname, "imap.entity.example");
  ASSERT_NE(db->Find("cdata.example"), nullptr);
  EXPECT_EQ(db->Find("cdata.example")->config.servers[0].hostname, "imap.cdata.example");
  EXPECT_EQ(db->Find("ent"), nullptr);  // a substring of a domain is not a domain
  EXPECT_EQ(db->Find("am&p.example"), nullptr);
  ASSERT_EQ(db->warnings().size(), 1u);  // "am&p.example" is no host name
  EXPECT_NE(db->warnings()[0].find("d.xml"), std::string::npos);
  EXPECT_EQ(db->size(), 4u);
}

// A later file that Find() happens to parse first still loses to an earlier
// one naming the same domain; Add() comes after every loaded file.
TEST_F(ProviderDbTest, EarlierFilesWinWhicheverIsParsedFirst) {
  Write("extra/a.xml", Config("shared.example", "imap.a.example"));
  Write("extra/b.xml",
        "<clientConfig><emailProvider id='b'><domain>b.example</domain><domain>shared.example"
        "</domain><incomingServer type='imap'><hostname>imap.b.example</hostname><port>993"
        "</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>");
  auto db = ProviderDb::Load({(dir_ / "extra").string()});
  ASSERT_TRUE(db.ok());
  ASSERT_NE(db->Find("b.example"), nullptr);
  ASSERT_NE(db->Find("shared.example"), nullptr);
  EXPECT_EQ(db->Find("shared.example")->config.servers[0].hostname, "imap.a.example");
  ProviderDb copy = db.value();
  ProviderConfig added;
  added.domains = {"shared.example", "added.example", "bad..example"};
  copy.Add(added, "test");
  EXPECT_EQ(copy.Find("shared.example")->config.servers[0].hostname, "imap.a.example");
  EXPECT_NE(copy.Find("added.example"), nullptr);
  EXPECT_EQ(copy.size(), 3u);
  ASSERT_EQ(copy.warnings().size(), 1u);
  EXPECT_NE(copy.warnings()[0].find("bad..example"), std::string::npos);
  EXPECT_TRUE(db->warnings().empty());
}

// The bundled database must load without a single warning and answer for
// the big providers.
TEST(BundledProviders, LoadCleanly) {
  auto db = ProviderDb::Load({std::string(MAILSCOUT_SOURCE_DIR) + "/providers"});
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(db->warnings().empty()) << db->warnings().front();
  EXPECT_GT(db->size(), 20u);
  ASSERT_NE(db->Find("gmail.com"), nullptr);
  EXPECT_EQ(db->Find("gmail.com")->config.login_policy, "app-password");
  EXPECT_NE(db->Find("google.com"), nullptr);  // MX domain of Google Workspace
}

}  // namespace
}  // namespace mailscout
