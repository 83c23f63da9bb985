// Decoding of JPEG (baseline and progressive) and PNG files into 8-bit RGB with
// stb_image. Grey and grey+alpha are replicated to RGB (as PIL's convert("RGB")
// does); RGBA drops alpha. Anything stb cannot decode (corrupt, truncated, not
// an image, unsupported variant) is an idml::Error naming the file; no byte
// sequence crashes the decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace idml::data {

// Reads and decodes `path`.
Image decode_image_file(const std::string& path);

// Decodes an in-memory encoded image; `name` is used in error messages.
Image decode_image_memory(const uint8_t* bytes, size_t size, const std::string& name);

// Whole file into memory; throws naming the file when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace idml::data
