// QR codes for the android-qr export: the symbol comes from libqrencode
// (byte mode, error correction level L, the smallest version that fits);
// this file only draws it, as an 8-bit grayscale PNG, an SVG, or Unicode
// half blocks for a terminal. Every drawing has a quiet zone of
// kQrQuietZone light modules on each side (ISO/IEC 18004 asks for 4).
//
// Pure functions; thread-safe (libqrencode is built with pthread support on
// Debian, which makes its encoder reentrant).
#ifndef MAILSCOUT_EXPORT_QR_CODE_H_
#define MAILSCOUT_EXPORT_QR_CODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace mailscout {

constexpr int kQrQuietZone = 4;
constexpr int kQrPngPixelsPerModule = 8;

// One QR symbol: width x width modules.
struct QrSymbol {
  int version = 0;            // 1..40
  int width = 0;              // modules per side
  std::vector<uint8_t> dark;  // width * width, row by row; 1 = dark module

  // Whether the module at (x, y) is dark; false outside the symbol (the
  // quiet zone), so drawings can walk from -kQrQuietZone.
  bool Dark(int x, int y) const {
    return x >= 0 && y >= 0 && x < width && y < width &&
           dark[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)] != 0;
  }
};

// Encodes `bytes` as they are (8-bit byte mode, level L). Error (kProtocol):
// the data does not fit in a QR code (more than 2953 bytes at level L).
Result<QrSymbol> EncodeQr(std::string_view bytes);

// Two module rows per text line: U+2580 (upper half), U+2584 (lower half),
// U+2588 (full block) for dark modules, spaces for light ones. With
// `ansi_colors` each line is drawn black on white (SGR 30;107) so that the
// code is right on a dark terminal too; without, the blocks are the dark
// modules (as on paper, or a light terminal).
std::string QrHalfBlocks(const QrSymbol& symbol, bool ansi_colors);

// An SVG document: a white square and one black path, one unit per module.
std::string QrSvg(const QrSymbol& symbol);

// A PNG (binary): 8-bit grayscale, pixels_per_module pixels per module.
std::string QrPng(const QrSymbol& symbol, int pixels_per_module = kQrPngPixelsPerModule);

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_QR_CODE_H_
