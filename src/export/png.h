// A minimal PNG writer for 8-bit grayscale images (what a QR code needs):
// signature, IHDR, one zlib-compressed IDAT, IEND (PNG specification, ISO/IEC
// 15948). zlib compresses and computes the chunk CRCs. Pure; thread-safe.
#ifndef MAILSCOUT_EXPORT_PNG_H_
#define MAILSCOUT_EXPORT_PNG_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mailscout {

// The PNG file (binary) of a width x height image whose gray values (0 black
// .. 255 white) are given row by row in `pixels` (width * height bytes).
// Returns "" when the sizes do not match or zlib fails.
std::string GrayPng(uint32_t width, uint32_t height, const std::vector<uint8_t>& pixels);

}  // namespace mailscout

#endif  // MAILSCOUT_EXPORT_PNG_H_
