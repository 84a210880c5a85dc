// android-json and android-qr end to end: the QR code of a real run, decoded
// by zbarimg (PNG, and the terminal's half blocks redrawn as a PNG), equals
// the android-json output byte for byte; POP3 with a local-part username;
// an address that is not ASCII is refused with exit status 2.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "export/qr_code.h"
#include "report/setup_json.h"
#include "run_mailscout.h"

namespace mailscout {
namespace {

using e2e::ReadFile;
using e2e::RunMailscout;
using e2e::RunResult;
using e2e::TempDir;

const std::string kName = "Demo D\u00fcsseldorf";  // UTF-8 survives byte mode

// The data of the code in an image, as zbarimg reads it: bytes as they are
// (-Sbinary: no guessing of a character set, no line break added).
std::string Decode(const std::string& image) {
  const std::string command = "zbarimg --raw -q -Sbinary '" + image + "' 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "<popen failed>";
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), pipe)) > 0;) out.append(buf, n);
  int status = pclose(pipe);
  if (status != 0) out += "<zbarimg status " + std::to_string(status) + ">";
  return out;
}

void WriteFile(const std::string& path, const std::string& text) {
  FILE* f = fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  fwrite(text.data(), 1, text.size(), f);
  fclose(f);
}

// The modules drawn by QrHalfBlocks (without colours), read back.
QrSymbol FromHalfBlocks(const std::string& text) {
  std::vector<std::vector<bool>> rows;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::vector<bool> top, bottom;
    const std::string line = text.substr(start, nl - start);
    for (size_t i = 0; i < line.size();) {
      if (line[i] == ' ') {
        top.push_back(false);
        bottom.push_back(false);
        ++i;
        continue;
      }
      const std::string c = line.substr(i, 3);
      top.push_back(c == "\u2580" || c == "\u2588");
      bottom.push_back(c == "\u2584" || c == "\u2588");
      i += 3;
    }
    rows.push_back(top);
    rows.push_back(bottom);
  }
  QrSymbol symbol;
  const int drawn = rows.empty() ? 0 : static_cast<int>(rows[0].size());
  symbol.width = drawn - 2 * kQrQuietZone;
  if (symbol.width <= 0) return symbol;
  for (int y = 0; y < symbol.width; ++y) {
    for (int x = 0; x < symbol.width; ++x) {
      const auto& row = rows[static_cast<size_t>(y + kQrQuietZone)];
      symbol.dark.push_back(row.at(static_cast<size_t>(x + kQrQuietZone)) ? 1 : 0);
    }
  }
  return symbol;
}

TEST(AndroidE2eTest, QrCodeDecodesToTheJsonByteForByte) {
  TempDir dir;
  RunResult json = RunMailscout({"setup", "demo@demo.example", "--format", "android-json", "--name",
                                 kName, "--save-report", dir.File("r.json")},
                                std::string("demo-password"));
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(json.out, R"([1,[1,1],[0,"imap.demo.example",993,3,1,"demo@demo.example"],)"
                      R"([[[0,"smtp.demo.example",465,3,1,"demo@demo.example"],)"
                      R"(["demo@demo.example",")" +
                          kName + "\"]]]]");

  RunResult png = RunMailscout({"setup", "demo@demo.example", "--format", "android-qr", "--name",
                                kName, "-o", dir.File("code.png")},
                               std::string("demo-password"));
  ASSERT_EQ(png.status, 0) << png.err;
  EXPECT_TRUE(png.out.empty());
  EXPECT_EQ(ReadFile(dir.File("code.png")).substr(1, 3), "PNG");
  EXPECT_EQ(Decode(dir.File("code.png")), json.out);

  // The same from the saved report, without network: JSON, PNG, SVG.
  RunResult exported = RunMailscout({"export", "android-json", "--from", dir.File("r.json")});
  EXPECT_EQ(exported.status, 0) << exported.err;
  EXPECT_EQ(exported.out, json.out);
  RunResult exported_png = RunMailscout(
      {"export", "android-qr", "--from", dir.File("r.json"), "-o", dir.File("export.png")});
  EXPECT_EQ(exported_png.status, 0) << exported_png.err;
  EXPECT_EQ(Decode(dir.File("export.png")), json.out);
  RunResult svg = RunMailscout(
      {"export", "android-qr", "--from", dir.File("r.json"), "-o", dir.File("code.svg")});
  EXPECT_EQ(svg.status, 0) << svg.err;
  EXPECT_EQ(ReadFile(dir.File("code.svg")).rfind("<?xml", 0), 0u);
  EXPECT_NE(ReadFile(dir.File("code.svg")).find("<path fill=\"#000000\" d=\"M4 4h7"),
            std::string::npos);

  // Without -o: half blocks on standard output (not a terminal here, so no
  // colours); redrawn as a PNG they scan to the same payload.
  RunResult blocks =
      RunMailscout({"setup", "demo@demo.example", "--format", "android-qr", "--name", kName},
                   std::string("demo-password"));
  ASSERT_EQ(blocks.status, 0) << blocks.err;
  EXPECT_EQ(blocks.out.find('\033'), std::string::npos);
  QrSymbol symbol = FromHalfBlocks(blocks.out);
  ASSERT_GT(symbol.width, 20) << blocks.out;
  WriteFile(dir.File("terminal.png"), QrPng(symbol, 4));
  EXPECT_EQ(Decode(dir.File("terminal.png")), json.out);
}

// --prefer pop3 on basic.example, where only the local part logs in: POP3
// (1) with implicit TLS on 995 and the username "bob", in the code too.
TEST(AndroidE2eTest, Pop3WithLocalPartUsername) {
  TempDir dir;
  RunResult json =
      RunMailscout({"setup", "bob@basic.example", "--prefer", "pop3", "--no-login-ledger",
                    "--format", "android-json"},
                   std::string("bobpw"));
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(json.out.rfind(R"([1,[1,1],[1,")", 0), 0u) << json.out;
  EXPECT_NE(json.out.find(R"(,995,3,1,"bob"],[[[0,")"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"(["bob@basic.example",""]]]])"), std::string::npos) << json.out;
  EXPECT_EQ(json.out.back(), ']');
  RunResult png = RunMailscout({"setup", "bob@basic.example", "--prefer", "pop3",
                                "--no-login-ledger", "--format", "android-qr", "-o",
                                dir.File("bob.png")},
                               std::string("bobpw"));
  ASSERT_EQ(png.status, 0) << png.err;
  EXPECT_EQ(Decode(dir.File("bob.png")), json.out);
}

TEST(AndroidE2eTest, UsageErrors) {
  TempDir dir;
  // Not ASCII before the @: refused at once, before any network.
  RunResult setup = RunMailscout({"setup", "j\u00f6rg@demo.example", "--format", "android-qr"},
                                 std::string("pw"));
  EXPECT_EQ(setup.status, 2);
  EXPECT_TRUE(setup.out.empty());
  EXPECT_NE(setup.err.find("ASCII"), std::string::npos) << setup.err;
  EXPECT_LT(setup.seconds, 5);
  // An image name that is neither .png nor .svg.
  RunResult jpg = RunMailscout(
      {"setup", "demo@demo.example", "--format", "android-qr", "-o", dir.File("code.jpg")},
      std::string("demo-password"));
  EXPECT_EQ(jpg.status, 2);
  EXPECT_NE(jpg.err.find(".png"), std::string::npos) << jpg.err;
  // export from a report of a non-ASCII address: exit 2 too.
  WriteFile(dir.File("joerg.json"),
            "{\"email\": \"j\u00f6rg@demo.example\", \"domain\": \"demo.example\", "
            "\"candidates\": [], \"recommended\": {"
            "\"incoming\": {\"protocol\": \"imap\", \"host\": \"imap.demo.example\", "
            "\"port\": 993, \"security\": \"tls\", \"username\": \"j\u00f6rg\"}, "
            "\"outgoing\": {\"protocol\": \"smtp\", \"host\": \"smtp.demo.example\", "
            "\"port\": 465, \"security\": \"tls\", \"username\": \"j\u00f6rg\"}}}");
  RunResult exported = RunMailscout({"export", "android-json", "--from", dir.File("joerg.json")});
  EXPECT_EQ(exported.status, 2) << exported.err;
  EXPECT_NE(exported.err.find("ASCII"), std::string::npos) << exported.err;
}

}  // namespace
}  // namespace mailscout
