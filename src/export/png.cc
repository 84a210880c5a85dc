#include "export/png.h"

#include <zlib.h>

namespace mailscout {
namespace {

void PutBe32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// length, type, data, CRC-32 of type and data.
void PutChunk(std::string& out, const char type[4], const std::string& data) {
  PutBe32(out, static_cast<uint32_t>(data.size()));
  std::string body(type, 4);
  body += data;
  out += body;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
  PutBe32(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::string GrayPng(uint32_t width, uint32_t height, const std::vector<uint8_t>& pixels) {
  if (width == 0 || height == 0 || pixels.size() != static_cast<size_t>(width) * height) {
    return "";
  }
  // Each row starts with its filter type: 0 (None).
  std::vector<uint8_t> raw;
  raw.reserve(static_cast<size_t>(width + 1) * height);
  for (uint32_t y = 0; y < height; ++y) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + static_cast<ptrdiff_t>(y) * width,
               pixels.begin() + static_cast<ptrdiff_t>(y + 1) * width);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size, raw.data(),
                static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK) {
    return "";
  }
  packed.resize(packed_size);

  std::string header;
  PutBe32(header, width);
  PutBe32(header, height);
  header.push_back(8);  // bit depth
  header.push_back(0);  // colour type: grayscale
  header.push_back(0);  // compression: deflate
  header.push_back(0);  // filter method 0
  header.push_back(0);  // no interlace

  std::string png = "\x89PNG\r\n\x1a\n";
  PutChunk(png, "IHDR", header);
  PutChunk(png, "IDAT", packed);
  PutChunk(png, "IEND", "");
  return png;
}

}  // namespace mailscout
