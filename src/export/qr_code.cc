#include "export/qr_code.h"

#include <qrencode.h>

#include <memory>

#include "export/png.h"

namespace mailscout {
namespace {

using QrCodePtr = std::unique_ptr<QRcode, decltype(&QRcode_free)>;

constexpr const char* kUpperHalf = "\u2580";
constexpr const char* kLowerHalf = "\u2584";
constexpr const char* kFullBlock = "\u2588";

}  // namespace

Result<QrSymbol> EncodeQr(std::string_view bytes) {
  QrCodePtr code(QRcode_encodeData(static_cast<int>(bytes.size()),
                                   reinterpret_cast<const unsigned char*>(bytes.data()),
                                   /*version=*/0, QR_ECLEVEL_L),
                 &QRcode_free);
  if (!code) {
    return Error::Make(ErrorKind::kProtocol, "the settings (" + std::to_string(bytes.size()) +
                                                 " bytes) do not fit in a QR code");
  }
  QrSymbol symbol;
  symbol.version = code->version;
  symbol.width = code->width;
  const size_t n = static_cast<size_t>(code->width) * static_cast<size_t>(code->width);
  symbol.dark.resize(n);
  for (size_t i = 0; i < n; ++i) symbol.dark[i] = code->data[i] & 1;  // bit 0: dark
  return symbol;
}

std::string QrHalfBlocks(const QrSymbol& symbol, bool ansi_colors) {
  const int from = -kQrQuietZone;
  const int to = symbol.width + kQrQuietZone;  // exclusive
  std::string out;
  for (int y = from; y < to; y += 2) {
    if (ansi_colors) out += "\033[30;107m";
    for (int x = from; x < to; ++x) {
      const bool top = symbol.Dark(x, y);
      const bool bottom = y + 1 < to && symbol.Dark(x, y + 1);
      out += top && bottom ? kFullBlock : top ? kUpperHalf : bottom ? kLowerHalf : " ";
    }
    if (ansi_colors) out += "\033[0m";
    out += "\n";
  }
  return out;
}

std::string QrSvg(const QrSymbol& symbol) {
  const int size = symbol.width + 2 * kQrQuietZone;
  const std::string n = std::to_string(size);
  const std::string px = std::to_string(size * kQrPngPixelsPerModule);
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 " +
      n + " " + n + "\" width=\"" + px + "\" height=\"" + px +
      "\" shape-rendering=\"crispEdges\">\n"
      "<rect width=\"" +
      n + "\" height=\"" + n +
      "\" fill=\"#ffffff\"/>\n"
      "<path fill=\"#000000\" d=\"";
  // One rectangle per horizontal run of dark modules.
  for (int y = 0; y < symbol.width; ++y) {
    for (int x = 0; x < symbol.width;) {
      if (!symbol.Dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (symbol.Dark(x + run, y)) ++run;
      out += "M" + std::to_string(x + kQrQuietZone) + " " + std::to_string(y + kQrQuietZone) + "h" +
             std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  out += "\"/>\n</svg>\n";
  return out;
}

std::string QrPng(const QrSymbol& symbol, int pixels_per_module) {
  const int modules = symbol.width + 2 * kQrQuietZone;
  const int side = modules * pixels_per_module;
  std::vector<uint8_t> pixels(static_cast<size_t>(side) * static_cast<size_t>(side), 255);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      if (symbol.Dark(x / pixels_per_module - kQrQuietZone, y / pixels_per_module - kQrQuietZone)) {
        pixels[static_cast<size_t>(y) * static_cast<size_t>(side) + static_cast<size_t>(x)] = 0;
      }
    }
  }
  return GrayPng(static_cast<uint32_t>(side), static_cast<uint32_t>(side), pixels);
}

}  // namespace mailscout
