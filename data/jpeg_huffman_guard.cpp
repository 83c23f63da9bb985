// JPEG marker walk mirroring stb_image's reading order; see jpeg_huffman_guard.h.
// The walk is deliberately at least as permissive as stb's: it skips junk
// between segments byte by byte (stb does before the first frame header) and
// stops entropy-coded data at the first 0xFF not followed by 0x00 or an RSTn
// marker, so every DHT segment stb could parse is checked.
#include "data/jpeg_huffman_guard.h"

namespace idml::data {

std::string jpeg_huffman_table_problem(const uint8_t* bytes, size_t size) {
  // SOI as stbi__get_marker finds it: 0xFF, any number of 0xFF fill bytes, 0xD8.
  size_t p = 0;
  if (size < 2 || bytes[0] != 0xFF) return "";
  while (p < size && bytes[p] == 0xFF) ++p;
  if (p >= size || bytes[p] != 0xD8) return "";
  ++p;
  // stb reads 0 past the end of the buffer; so do we.
  auto get8 = [&](size_t& at) -> int { return at < size ? bytes[at++] : (++at, 0); };
  while (p < size) {
    if (bytes[p] != 0xFF) {
      ++p;
      continue;
    }
    while (p < size && bytes[p] == 0xFF) ++p;  // fill bytes
    if (p >= size) break;
    const int marker = bytes[p++];
    if (marker == 0xD9) break;  // EOI: stb stops here
    if (marker == 0xD8 || marker == 0x01 || marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    size_t at = p;
    const int high = get8(at);
    const int length = (high << 8) | get8(at);
    if (marker == 0xC4) {  // DHT: as stb's stbi__process_marker reads it
      int remaining = length - 2;
      while (remaining > 0 && at < size) {
        get8(at);  // table class and id
        int codes = 0;
        for (int i = 0; i < 16; ++i) codes += get8(at);
        if (codes > 256) {
          return "corrupt JPEG: a Huffman table declares " + std::to_string(codes) +
                 " codes (at most 256)";
        }
        at += static_cast<size_t>(codes);
        remaining -= 17 + codes;
      }
      p = at;
      continue;
    }
    p += static_cast<size_t>(length >= 2 ? length : 2);
    if (marker == 0xDA) {  // start of scan: skip the entropy-coded data
      while (p + 1 < size && !(bytes[p] == 0xFF && bytes[p + 1] != 0x00 &&
                               !(bytes[p + 1] >= 0xD0 && bytes[p + 1] <= 0xD7))) {
        ++p;
      }
    }
  }
  return "";
}

}  // namespace idml::data
