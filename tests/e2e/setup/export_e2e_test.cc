// setup's client files and `mailscout export` end to end: every format from a
// real run, the Thunderbird round trip through `discover --providers`, and
// no password in any output.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <tinyxml2.h>

#include <string>

#include "report/discovery_json.h"
#include "report/setup_json.h"
#include "run_mailscout.h"

namespace mailscout {
namespace {

using e2e::ReadFile;
using e2e::RunMailscout;
using e2e::RunResult;
using e2e::TempDir;

const char* kFormats[] = {"thunderbird", "autodiscover", "mobileconfig", "msmtp",
                          "mbsync",      "neomutt",      "aerc"};

// An exported Thunderbird file read back through `discover --providers DIR
// --offline` gives exactly the recommended settings and alternatives.
TEST(ExportE2eTest, ThunderbirdRoundTripThroughProviders) {
  TempDir dir;
  RunResult setup = RunMailscout(
      {"setup", "bob@basic.example", "--format", "thunderbird", "-o", dir.File("basic.example.xml"),
       "--save-report", dir.File("report.json"), "--check-all"},
      std::string("bobpw"));
  ASSERT_EQ(setup.status, 0) << setup.err;
  Result<SetupReport> report = SetupFromJsonText(ReadFile(dir.File("report.json")));
  ASSERT_TRUE(report.ok()) << report.error().message;

  RunResult discover = RunMailscout({"discover", "bob@basic.example", "--providers", dir.path(),
                                     "--offline", "--format", "json"});
  ASSERT_EQ(discover.status, 0) << discover.err;
  Result<DiscoveryResult> found = DiscoveryFromJsonText(discover.out);
  ASSERT_TRUE(found.ok()) << found.error().message;

  const Recommendation& r = report->recommended;
  std::vector<Setting> want;
  want.push_back(*r.incoming);
  want.insert(want.end(), r.incoming_alternatives.begin(), r.incoming_alternatives.end());
  want.push_back(*r.outgoing);
  want.insert(want.end(), r.outgoing_alternatives.begin(), r.outgoing_alternatives.end());
  ASSERT_GE(want.size(), 4u);  // --check-all: 993, 143, 995, 110, 465, 587 all verified
  ASSERT_EQ(found->candidates.size(), want.size()) << discover.out;
  // Discovery lists IMAP, POP3, SMTP; each protocol in file order.
  auto key = [](Protocol p) { return p == Protocol::kImap ? 0 : p == Protocol::kPop3 ? 1 : 2; };
  std::stable_sort(want.begin(), want.end(), [&](const Setting& a, const Setting& b) {
    return key(a.protocol) < key(b.protocol);
  });
  for (size_t i = 0; i < want.size(); ++i) {
    const ServerCandidate& c = found->candidates[i];
    SCOPED_TRACE(c.host + ":" + std::to_string(c.port));
    EXPECT_EQ(c.protocol, want[i].protocol);
    EXPECT_EQ(c.host, want[i].host);
    EXPECT_EQ(c.port, want[i].port);
    EXPECT_EQ(c.security, want[i].security);
    EXPECT_EQ(c.username, "bob");  // literal: the verified form, not a placeholder
    EXPECT_EQ(c.source, Source::kProviders);
  }
}

TEST(ExportE2eTest, EveryFormatFromSetupAndFromTheSavedReport) {
  TempDir dir;
  RunResult setup = RunMailscout(
      {"setup", "demo@demo.example", "--format", "json", "--save-report", dir.File("r.json")},
      std::string("demo-password"));
  ASSERT_EQ(setup.status, 0) << setup.err;
  EXPECT_EQ(ReadFile(dir.File("r.json")), setup.out);
  for (const char* f : kFormats) {
    SCOPED_TRACE(f);
    RunResult direct =
        RunMailscout({"setup", "demo@demo.example", "--format", f}, std::string("demo-password"));
    EXPECT_EQ(direct.status, 0) << direct.err;
    RunResult exported = RunMailscout({"export", f, "--from", dir.File("r.json")});
    EXPECT_EQ(exported.status, 0) << exported.err;
    EXPECT_FALSE(exported.out.empty());
    if (std::string(f) != "mobileconfig") {  // fresh UUIDs differ each time
      EXPECT_EQ(exported.out, direct.out);
    }
    RunResult to_file =
        RunMailscout({"export", f, "--from", dir.File("r.json"), "-o", dir.File(f)});
    EXPECT_EQ(to_file.status, 0);
    EXPECT_FALSE(ReadFile(dir.File(f)).empty());
  }
  tinyxml2::XMLDocument doc;
  EXPECT_EQ(doc.Parse(ReadFile(dir.File("thunderbird")).c_str()), tinyxml2::XML_SUCCESS);
  EXPECT_EQ(doc.Parse(ReadFile(dir.File("autodiscover")).c_str()), tinyxml2::XML_SUCCESS);
  struct stat st {};
  ASSERT_EQ(stat(dir.File("msmtp").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);  // msmtp refuses group/other-readable files with secrets
}

TEST(ExportE2eTest, ExportErrors) {
  TempDir dir;
  EXPECT_EQ(RunMailscout({"export"}).status, 2);
  EXPECT_EQ(RunMailscout({"export", "thunderbird"}).status, 2);  // no --from
  EXPECT_EQ(RunMailscout({"export", "outlook", "--from", "x.json"}).status, 2);
  EXPECT_EQ(RunMailscout({"export", "thunderbird", "--from", dir.File("missing.json")}).status, 2);
  {
    FILE* f = fopen(dir.File("bad.json").c_str(), "w");
    fputs("{\"email\": \"a@b.example\"", f);
    fclose(f);
  }
  EXPECT_EQ(RunMailscout({"export", "thunderbird", "--from", dir.File("bad.json")}).status, 2);
  // A report of a run where nothing works: nothing to export, exit 1.
  RunResult nothing = RunMailscout(
      {"setup", "nobody@nothing-here.example", "--save-report", dir.File("nothing.json")},
      std::string("pw"));
  EXPECT_EQ(nothing.status, 1);
  RunResult exported = RunMailscout({"export", "thunderbird", "--from", dir.File("nothing.json")});
  EXPECT_EQ(exported.status, 1);
  EXPECT_TRUE(exported.out.empty());
  EXPECT_NE(exported.err.find("nothing to export"), std::string::npos) << exported.err;
  // setup asked for a client file it cannot write: exit 1, card on stderr.
  RunResult setup_file =
      RunMailscout({"setup", "nobody@nothing-here.example", "--format", "aerc"}, std::string("pw"));
  EXPECT_EQ(setup_file.status, 1);
  EXPECT_TRUE(setup_file.out.empty());
  EXPECT_NE(setup_file.err.find("NOTHING WORKS"), std::string::npos);
}

// The password never shows: not in the card, the JSON (with transcripts),
// any client file, the saved report, stderr, for a good and a wrong password.
TEST(ExportE2eTest, NoPasswordInAnyOutput) {
  for (const std::string& password : {std::string("alicepw"), std::string("Wr0ng-s3cret-xyz")}) {
    SCOPED_TRACE(password);
    TempDir dir;
    std::vector<RunResult> runs;
    runs.push_back(RunMailscout({"setup", "alice@basic.example"}, password));
    runs.push_back(RunMailscout({"setup", "alice@basic.example", "--format", "json", "--transcript",
                                 "--check-all", "--save-report", dir.File("r.json")},
                                password));
    for (const char* f : kFormats) {
      runs.push_back(RunMailscout(
          {"setup", "alice@basic.example", "--format", f, "-o", dir.File(std::string(f) + ".1")},
          password));
      runs.push_back(RunMailscout({"export", f, "--from", dir.File("r.json")}));
    }
    bool any_transcript = false;
    for (const RunResult& r : runs) {
      EXPECT_EQ(r.out.find(password), std::string::npos) << r.out;
      EXPECT_EQ(r.err.find(password), std::string::npos) << r.err;
      any_transcript |= r.out.find("\"transcript\"") != std::string::npos;
    }
    EXPECT_TRUE(any_transcript);  // the transcripts were there, redacted
    std::string report = ReadFile(dir.File("r.json"));
    EXPECT_FALSE(report.empty());
    EXPECT_EQ(report.find(password), std::string::npos);
    for (const char* f : kFormats) {
      EXPECT_EQ(ReadFile(dir.File(std::string(f) + ".1")).find(password), std::string::npos) << f;
    }
  }
}

}  // namespace
}  // namespace mailscout
