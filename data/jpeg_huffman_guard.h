// A pre-check for a memory-safety bug of stb_image 2.27 (Debian 12's
// libstb-dev): a JPEG DHT segment whose 16 code counts sum to more than 256
// makes stbi__build_huffman write past its 257-entry table (fixed upstream in
// 2.28 with the same check). We walk the JPEG markers as stb does (FF fill
// before SOI included) and reject such a table before stb sees it, with a
// clear message. The bound itself is enforced inside stb's table builder
// (cmake/StbPatch.cmake); this walk is the second line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace idml::data {

// Empty when `bytes` is not a JPEG or its Huffman tables are safe for stb;
// otherwise the reason to reject the file.
std::string jpeg_huffman_table_problem(const uint8_t* bytes, size_t size);

}  // namespace idml::data
