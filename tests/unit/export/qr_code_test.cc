// The QR code drawings of android-qr: level L in the symbol's format
// information, the PNG decoded back module by module, the SVG and the
// terminal's half blocks with their quiet zones.
#include "export/qr_code.h"

#include <gtest/gtest.h>
#include <tinyxml2.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "export/export_test_util.h"
#include "export/png.h"

namespace mailscout {
namespace {

const std::string kPayload =
    R"([1,[1,1],[0,"imap.example.com",993,3,1,"alice@example.com"],)"
    R"([[[0,"smtp.example.com",465,3,1,"alice@example.com"],["alice@example.com","Alice"]]]])";

QrSymbol Encode(const std::string& text) {
  Result<QrSymbol> symbol = EncodeQr(text);
  if (!symbol.ok()) throw std::runtime_error(symbol.error().message);
  return symbol.value();
}

uint32_t Be32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST(QrCodeTest, ErrorCorrectionLevelL) {
  QrSymbol symbol = Encode(kPayload);
  EXPECT_EQ(symbol.width, 17 + 4 * symbol.version);
  // Format information, first copy: bit 14 at (x 0, y 8), bit 13 at (x 1,
  // y 8), masked with 101010000010010; the two top bits are the level
  // (L = 01, M = 00, Q = 11, H = 10).
  const int level = ((symbol.Dark(0, 8) ? 1 : 0) ^ 1) << 1 | ((symbol.Dark(1, 8) ? 1 : 0) ^ 0);
  EXPECT_EQ(level, 1);
  // Byte mode at level L holds this payload (145 bytes) in version 7 (up to
  // 154 bytes); level M would need version 8, other modes would differ too.
  EXPECT_EQ(kPayload.size(), 145u);
  EXPECT_EQ(symbol.version, 7);
}

TEST(QrCodeTest, TooLongForAQrCode) {
  EXPECT_FALSE(EncodeQr(std::string(3000, 'x')).ok());
  EXPECT_TRUE(EncodeQr(std::string(2953, 'x')).ok());  // the byte-mode limit at level L
}

// The PNG: signature, IHDR (8-bit grayscale), IDAT inflated back to the
// modules, 8 pixels each, with a 4-module white quiet zone.
TEST(QrCodeTest, PngHoldsTheModules) {
  QrSymbol symbol = Encode(kPayload);
  const std::string png = QrPng(symbol);
  ASSERT_GT(png.size(), 8u + 25u + 12u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  const uint32_t side = Be32(png, 16);
  const int modules = symbol.width + 2 * kQrQuietZone;
  EXPECT_EQ(side, static_cast<uint32_t>(modules * kQrPngPixelsPerModule));
  EXPECT_EQ(Be32(png, 20), side);
  EXPECT_EQ(png[24], 8);  // bit depth
  EXPECT_EQ(png[25], 0);  // grayscale
  // Chunks after IHDR: IDAT then IEND.
  size_t at = 8 + 12 + 13;
  ASSERT_EQ(png.substr(at + 4, 4), "IDAT");
  const uint32_t length = Be32(png, at);
  std::vector<uint8_t> raw(static_cast<size_t>(side + 1) * side);
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(png.data() + at + 8),
                       length),
            Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  EXPECT_EQ(png.substr(at + 12 + length + 4, 4), "IEND");
  EXPECT_EQ(png.size(), at + 12 + length + 12);
  for (int y = 0; y < static_cast<int>(side); ++y) {
    ASSERT_EQ(raw[static_cast<size_t>(y) * (side + 1)], 0) << "filter type of row " << y;
    for (int x = 0; x < static_cast<int>(side); ++x) {
      const bool dark = symbol.Dark(x / kQrPngPixelsPerModule - kQrQuietZone,
                                    y / kQrPngPixelsPerModule - kQrQuietZone);
      ASSERT_EQ(raw[static_cast<size_t>(y) * (side + 1) + 1 + static_cast<size_t>(x)],
                dark ? 0 : 255)
          << x << "," << y;
    }
  }
}

TEST(QrCodeTest, GrayPngRefusesWrongSizes) {
  EXPECT_EQ(GrayPng(2, 2, {0, 0, 0}), "");
  EXPECT_EQ(GrayPng(0, 0, {}), "");
  EXPECT_NE(GrayPng(1, 1, {0}), "");
}

TEST(QrCodeTest, SvgHasQuietZoneAndOneDarkPath) {
  QrSymbol symbol = Encode(kPayload);
  const std::string svg = QrSvg(symbol);
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(svg.c_str()), tinyxml2::XML_SUCCESS) << svg;
  tinyxml2::XMLElement* root = doc.RootElement();
  ASSERT_NE(root, nullptr);
  EXPECT_STREQ(root->Name(), "svg");
  const std::string n = std::to_string(symbol.width + 2 * kQrQuietZone);
  EXPECT_EQ(std::string(root->Attribute("viewBox")), "0 0 " + n + " " + n);
  ASSERT_NE(root->FirstChildElement("rect"), nullptr);
  EXPECT_STREQ(root->FirstChildElement("rect")->Attribute("fill"), "#ffffff");
  ASSERT_NE(root->FirstChildElement("path"), nullptr);
  // The top-left finder pattern's first row: 7 dark modules from (4, 4).
  EXPECT_EQ(std::string(root->FirstChildElement("path")->Attribute("d")).rfind("M4 4h7v1h-7z", 0),
            0u);
}

// Splits UTF-8 text into code points (as strings).
std::vector<std::string> CodePoints(const std::string& line) {
  std::vector<std::string> out;
  for (size_t i = 0; i < line.size();) {
    size_t n = 1;
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0xf0) {
      n = 4;
    } else if (c >= 0xe0) {
      n = 3;
    } else if (c >= 0xc0) {
      n = 2;
    }
    out.push_back(line.substr(i, n));
    i += n;
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text.substr(start, nl - start));
  }
  EXPECT_EQ(start, text.size()) << "the drawing ends with a line break";
  return lines;
}

// Reading the half blocks back gives every module, the quiet zone blank.
TEST(QrCodeTest, HalfBlocksReadBackToTheModules) {
  QrSymbol symbol = Encode(kPayload);
  const int size = symbol.width + 2 * kQrQuietZone;
  std::vector<std::string> lines = Lines(QrHalfBlocks(symbol, false));
  ASSERT_EQ(static_cast<int>(lines.size()), (size + 1) / 2);
  for (int row = 0; row < static_cast<int>(lines.size()); ++row) {
    std::vector<std::string> cells = CodePoints(lines[static_cast<size_t>(row)]);
    ASSERT_EQ(static_cast<int>(cells.size()), size) << "line " << row;
    for (int col = 0; col < size; ++col) {
      const std::string& c = cells[static_cast<size_t>(col)];
      const bool top = c == "\u2580" || c == "\u2588";
      const bool bottom = c == "\u2584" || c == "\u2588";
      ASSERT_TRUE(top || bottom || c == " ") << "unexpected character at " << row << "," << col;
      const int x = col - kQrQuietZone;
      const int y = 2 * row - kQrQuietZone;
      EXPECT_EQ(top, symbol.Dark(x, y)) << x << "," << y;
      EXPECT_EQ(bottom, symbol.Dark(x, y + 1)) << x << "," << y + 1;
    }
  }
  // The quiet zone: two blank lines above (4 module rows).
  EXPECT_EQ(lines[0], std::string(static_cast<size_t>(size), ' '));
  EXPECT_EQ(lines[1], std::string(static_cast<size_t>(size), ' '));
}

TEST(QrCodeTest, HalfBlocksInColourOnATerminal) {
  QrSymbol symbol = Encode(kPayload);
  const std::string plain = QrHalfBlocks(symbol, false);
  const std::string coloured = QrHalfBlocks(symbol, true);
  std::vector<std::string> lines = Lines(coloured);
  std::vector<std::string> plain_lines = Lines(plain);
  ASSERT_EQ(lines.size(), plain_lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i], "\033[30;107m" + plain_lines[i] + "\033[0m");
  }
}

// android-qr through WriteExport: each image kind.
TEST(QrCodeTest, AndroidQrFormats) {
  ExportAccount account = testing::Account(testing::MakeReport());
  ExportOptions options;
  options.qr_image = QrImage::kPng;
  auto png = WriteExport(ExportFormat::kAndroidQr, account, options);
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->text.substr(1, 3), "PNG");
  options.qr_image = QrImage::kSvg;
  auto svg = WriteExport(ExportFormat::kAndroidQr, account, options);
  ASSERT_TRUE(svg.ok());
  EXPECT_NE(svg->text.find("<svg"), std::string::npos);
  options.qr_image = QrImage::kHalfBlocks;
  auto blocks = WriteExport(ExportFormat::kAndroidQr, account, options);
  ASSERT_TRUE(blocks.ok());
  EXPECT_NE(blocks->text.find("\u2588"), std::string::npos);
}

}  // namespace
}  // namespace mailscout
