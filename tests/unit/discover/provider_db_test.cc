#include "discover/provider_db.h"

#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

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

// ---- Indexed directories (domains.idx, providers/make-index) ----

constexpr char kHeader[] = "mailscout-provider-index 1\n";

// The names of the files opened in a directory while it is watched (inotify).
class OpenWatch {
 public:
  explicit OpenWatch(const fs::path& dir) : fd_(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    EXPECT_GE(fd_, 0);
    EXPECT_GE(inotify_add_watch(fd_, dir.c_str(), IN_OPEN), 0);
  }
  ~OpenWatch() { close(fd_); }
  std::set<std::string> Opened() {
    std::set<std::string> names;
    alignas(inotify_event) char buffer[8192];
    ssize_t n;
    while ((n = read(fd_, buffer, sizeof buffer)) > 0) {
      for (char* p = buffer; p < buffer + n;) {
        auto* event = reinterpret_cast<inotify_event*>(p);
        names.insert(event->len > 0 ? std::string(event->name) : std::string("(the directory)"));
        p += sizeof(inotify_event) + event->len;
      }
    }
    return names;
  }

 private:
  int fd_;
};

class IndexedProviderDbTest : public ProviderDbTest {
 protected:
  static std::string Config2(const std::string& d1, const std::string& d2,
                             const std::string& host) {
    return "<clientConfig><emailProvider id='" + d1 + "'><domain>" + d1 + "</domain><domain>" + d2 +
           "</domain><incomingServer type='imap'><hostname>" + host +
           "</hostname><port>993</port><socketType>SSL</socketType>"
           "</incomingServer></emailProvider></clientConfig>";
  }
  static std::string Host(const ProviderEntry* entry) {
    return entry == nullptr ? "(none)" : entry->config.servers.at(0).hostname;
  }
  std::string Dir(const std::string& name) { return (dir_ / name).string(); }
};

TEST_F(IndexedProviderDbTest, IndexedLookupFindsTheEntry) {
  Write("bundled/a.example.xml", Config2("a.example", "a-mx.example", "imap.a.example"));
  Write("bundled/b.example.xml", Config("b.example", "imap.b.example"));
  Write("bundled/domains.idx", std::string(kHeader) +
                                   "a-mx.example\ta.example.xml\n"
                                   "a.example\ta.example.xml\n"
                                   "b.example\tb.example.xml\n");
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Host(db->Find("a-mx.example")), "imap.a.example");
  EXPECT_EQ(Host(db->Find("b.example")), "imap.b.example");
  EXPECT_EQ(db->Find("a.example"), db->Find("a-mx.example"));  // one parse, one entry
  EXPECT_EQ(db->Find("c.example"), nullptr);
  EXPECT_EQ(db->Find("example"), nullptr);
  EXPECT_EQ(db->Find(""), nullptr);
  EXPECT_EQ(db->Find("zzz.example"), nullptr);
  EXPECT_EQ(db->size(), 2u);  // distinct files in the index
  EXPECT_TRUE(db->warnings().empty());
  EXPECT_EQ(db->Find("b.example")->origin, (dir_ / "bundled" / "b.example.xml").string());
}

// The other files are not even well-formed: had any been parsed, warnings()
// would say so; inotify shows which files were opened at all.
TEST_F(IndexedProviderDbTest, LookupsOpenOnlyTheIndexAndTheNamedFile) {
  Write("bundled/a.example.xml", Config("a.example", "imap.a.example"));
  for (int i = 0; i < 20; ++i) Write("bundled/junk" + std::to_string(i) + ".xml", "<clientConfig");
  Write("bundled/domains.idx", std::string(kHeader) + "a.example\ta.example.xml\n");
  OpenWatch watch(dir_ / "bundled");
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->Find("missing.example"), nullptr);
  EXPECT_EQ(db->Find("junk0.xml"), nullptr);
  EXPECT_EQ(watch.Opened(), (std::set<std::string>{"domains.idx"}));
  EXPECT_EQ(Host(db->Find("a.example")), "imap.a.example");
  EXPECT_EQ(Host(db->Find("a.example")), "imap.a.example");
  EXPECT_EQ(watch.Opened(), (std::set<std::string>{"a.example.xml"}));  // once
  EXPECT_EQ(db->size(), 1u);
  EXPECT_TRUE(db->warnings().empty());
  EXPECT_TRUE(watch.Opened().empty());
}

TEST_F(IndexedProviderDbTest, EarlierDirectoriesWinWhateverTheirKind) {
  Write("extra/x.xml", Config2("shared.example", "extra-only.example", "imap.extra.example"));
  Write("bundled/y.xml", Config2("shared.example", "bundled-only.example", "imap.bundled.example"));
  Write("bundled/domains.idx",
        std::string(kHeader) + "bundled-only.example\ty.xml\n" + "shared.example\ty.xml\n");
  // extra scanned, bundled indexed
  auto db = ProviderDb::Load({Dir("extra"), Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Host(db->Find("shared.example")), "imap.extra.example");
  EXPECT_EQ(Host(db->Find("bundled-only.example")), "imap.bundled.example");
  EXPECT_EQ(db->size(), 2u);
  // both indexed; the other order
  Write("extra/domains.idx",
        std::string(kHeader) + "extra-only.example\tx.xml\n" + "shared.example\tx.xml\n");
  auto both = ProviderDb::Load({Dir("extra"), Dir("bundled")});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(Host(both->Find("shared.example")), "imap.extra.example");
  EXPECT_EQ(Host(both->Find("extra-only.example")), "imap.extra.example");
  EXPECT_EQ(Host(both->Find("bundled-only.example")), "imap.bundled.example");
  auto reversed = ProviderDb::Load({Dir("bundled"), Dir("extra")});
  ASSERT_TRUE(reversed.ok());
  EXPECT_EQ(Host(reversed->Find("shared.example")), "imap.bundled.example");
  EXPECT_TRUE(both->warnings().empty());
  EXPECT_TRUE(reversed->warnings().empty());
}

TEST_F(IndexedProviderDbTest, FileGoneIsAWarningAndTheDirectoryIsScanned) {
  // moved.example now lives in new.xml, which the index does not know.
  Write("bundled/new.xml", Config("moved.example", "imap.new.example"));
  Write("bundled/domains.idx", std::string(kHeader) + "moved.example\told.xml\n");
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_TRUE(db->warnings().empty());
  EXPECT_EQ(Host(db->Find("moved.example")), "imap.new.example");
  EXPECT_EQ(Host(db->Find("moved.example")), "imap.new.example");
  std::vector<std::string> warnings = db->warnings();
  ASSERT_EQ(warnings.size(), 1u);  // once, however often the line is used
  EXPECT_NE(warnings[0].find("domains.idx line 2"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("old.xml"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("instead"), std::string::npos) << warnings[0];
}

TEST_F(IndexedProviderDbTest, FileThatNoLongerListsTheDomain) {
  Write("bundled/a.xml", Config("a.example", "imap.a.example"));  // b.example was dropped
  Write("bundled/c.xml", Config("c.example", "imap.c.example"));
  Write("bundled/bad.xml", "<clientConfig>");
  Write("bundled/domains.idx", std::string(kHeader) + "a.example\ta.xml\n" + "b.example\ta.xml\n" +
                                   "bad.example\tbad.xml\n" + "c.example\tc.xml\n");
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->Find("b.example"), nullptr);
  EXPECT_EQ(Host(db->Find("c.example")), "imap.c.example");
  std::vector<std::string> warnings = db->warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("domains.idx line 3 (b.example in a.xml)"), std::string::npos)
      << warnings[0];
  EXPECT_NE(warnings[0].find("does not list b.example"), std::string::npos) << warnings[0];
  // A file that does not parse: its own warning and the index line's.
  EXPECT_EQ(db->Find("bad.example"), nullptr);
  warnings = db->warnings();
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                          [](const std::string& w) {
                            return w.find("bad.xml: the configuration file") != std::string::npos;
                          }),
            1);
  EXPECT_EQ(std::count_if(warnings.begin(), warnings.end(),
                          [](const std::string& w) {
                            return w.find("line 4 (bad.example in bad.xml)") != std::string::npos;
                          }),
            1);
}

TEST_F(IndexedProviderDbTest, MalformedIndexFallsBackToScanning) {
  Write("bundled/a.xml", Config("a.example", "imap.a.example"));
  Write("bundled/b.xml", Config("b.example", "imap.b.example"));
  const std::string a = "a.example\ta.xml\n";
  const std::string b = "b.example\tb.xml\n";
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"mailscout-provider-index 2\n" + a + b, "first line"},
      {"\n" + a, "first line"},
      {std::string(kHeader) + b + a, "a.example is not sorted after b.example"},
      {std::string(kHeader) + a + a + b, "a.example appears twice"},
      {std::string(kHeader) + a + "b.example\tb.xml", "line 3 does not end"},
      {std::string(kHeader) + a + "b.example b.xml\n", "line 3 is not"},
      {std::string(kHeader) + "\tb.xml\n", "line 2 is not"},
      {std::string(kHeader) + "B.example\tb.xml\n", "lower-case"},
      {std::string(kHeader) + a + "b.example\t../b.xml\n", "not a plain name"},
      {std::string(kHeader) + a + "b.example\tb.xml\r\n", "not a plain name"},
      {std::string(kHeader) + std::string("a\0.example\ta.xml\n", 17), "lower-case"},
  };
  for (const auto& [text, problem] : cases) {
    Write("bundled/domains.idx", text);
    auto db = ProviderDb::Load({Dir("bundled")});
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(Host(db->Find("a.example")), "imap.a.example") << text;
    EXPECT_EQ(Host(db->Find("b.example")), "imap.b.example") << text;
    EXPECT_EQ(db->size(), 2u);
    std::vector<std::string> warnings = db->warnings();
    ASSERT_EQ(warnings.size(), 1u) << text;
    EXPECT_NE(warnings[0].find("domains.idx: "), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find(problem), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[0].find("reading every file"), std::string::npos) << warnings[0];
  }
  // A directory named domains.idx is no index either.
  fs::remove(dir_ / "bundled" / "domains.idx");
  fs::create_directory(dir_ / "bundled" / "domains.idx");
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Host(db->Find("b.example")), "imap.b.example");
  EXPECT_EQ(db->warnings().size(), 1u);
}

TEST_F(IndexedProviderDbTest, ConcurrentLookupsParseEachFileOnce) {
  std::string index = kHeader;
  std::vector<std::string> domains;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "p" + std::to_string(100 + i);
    Write("bundled/" + name + ".xml",
          Config2(name + ".example", name + "-mx.example", "imap." + name + ".example"));
    domains.push_back(name + "-mx.example");
    domains.push_back(name + ".example");
  }
  std::sort(domains.begin(), domains.end());
  for (const auto& d : domains) index += d + "\t" + d.substr(0, 4) + ".xml\n";
  Write("bundled/domains.idx", index);
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  constexpr int kThreads = 8;
  std::vector<std::vector<const ProviderEntry*>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < domains.size(); ++i) {
          // each thread its own order, so first parses race
          const std::string& d = domains[(i * 7 + static_cast<size_t>(t) * 13) % domains.size()];
          seen[t].push_back(db->Find(d));
          seen[t].push_back(db->Find("not-" + d));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& d : domains) {
    const ProviderEntry* entry = db->Find(d);
    ASSERT_NE(entry, nullptr) << d;
    EXPECT_EQ(entry->config.servers.at(0).hostname, "imap." + d.substr(0, 4) + ".example");
  }
  for (int t = 0; t < kThreads; ++t) {
    for (size_t i = 0; i < seen[t].size(); i += 2) {
      const std::string& d =
          domains[((i / 2) % domains.size() * 7 + static_cast<size_t>(t) * 13) % domains.size()];
      EXPECT_EQ(seen[t][i], db->Find(d)) << d;  // the very same entry: parsed once
      EXPECT_EQ(seen[t][i + 1], nullptr);
    }
  }
  EXPECT_TRUE(db->warnings().empty());
  EXPECT_EQ(db->size(), 60u);
}

// Stale lines found by several threads at once: one fallback scan, one
// warning per line, warnings() read meanwhile.
TEST_F(IndexedProviderDbTest, ConcurrentStaleLookupsAndWarnings) {
  std::string index = kHeader;
  for (int i = 0; i < 10; ++i) {
    const std::string d = "s" + std::to_string(i) + ".example";
    Write("bundled/now-" + std::to_string(i) + ".xml", Config(d, "imap." + d));
    index += d + "\twas-" + std::to_string(i) + ".xml\n";
  }
  Write("bundled/domains.idx", index);
  auto db = ProviderDb::Load({Dir("bundled")});
  ASSERT_TRUE(db.ok());
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string d = "s" + std::to_string((i + t) % 10) + ".example";
        if (Host(db->Find(d)) != "imap." + d) ++wrong;
        if (db->warnings().size() > 10) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(db->warnings().size(), 10u);
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
  // Looked up through providers/domains.idx (providers_index_current keeps
  // it true): size() counts its files.
  EXPECT_TRUE(
      std::filesystem::exists(std::string(MAILSCOUT_SOURCE_DIR) + "/providers/domains.idx"));
  EXPECT_TRUE(db->warnings().empty());
}

// Issue 12's "done when": every domain of every ISPDB file (the CI copy in
// tests/data/ispdb) is known offline, with the servers the ISPDB has, read
// through the index like a real run.
TEST(BundledProviders, KnowEveryIspdbDomainWithItsServers) {
  auto db = ProviderDb::Load({std::string(MAILSCOUT_SOURCE_DIR) + "/providers"});
  ASSERT_TRUE(db.ok());
  size_t files = 0, domains = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(MAILSCOUT_SOURCE_DIR) +
                                                               "/tests/data/ispdb")) {
    if (entry.path().extension() != ".xml") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    Result<std::vector<ProviderConfig>> ispdb = ParseClientConfig(text.str());
    ASSERT_TRUE(ispdb.ok()) << entry.path();
    ++files;
    const ProviderConfig& want = ispdb->front();
    for (const std::string& domain : want.domains) {
      ++domains;
      const ProviderEntry* got = db->Find(domain);
      ASSERT_NE(got, nullptr) << domain << " of " << entry.path().filename();
      ASSERT_EQ(got->config.servers.size(), want.servers.size()) << domain;
      for (size_t i = 0; i < want.servers.size(); ++i) {
        EXPECT_EQ(got->config.servers[i].hostname, want.servers[i].hostname) << domain;
        EXPECT_EQ(got->config.servers[i].port, want.servers[i].port) << domain;
        EXPECT_EQ(got->config.servers[i].security, want.servers[i].security) << domain;
      }
    }
  }
  EXPECT_EQ(files, 163u);
  EXPECT_GT(domains, 900u);
  EXPECT_TRUE(db->warnings().empty()) << db->warnings().front();
}

}  // namespace
}  // namespace mailscout
