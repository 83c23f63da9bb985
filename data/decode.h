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

// Decompression bombs: an image whose header declares more than this many
// pixels (width x height) is refused before any pixel is decoded. The default
// is far above every image of the supported datasets (CUB, Cars, SOP: a few
// megapixels at most) yet keeps one decode under ~1 GB; `--max-image-pixels`
// raises it.
constexpr int64_t kDefaultMaxImagePixels = 50'000'000;
void set_max_image_pixels(int64_t pixels);  // process-wide; > 0
int64_t max_image_pixels();

// Reads and decodes `path`.
Image decode_image_file(const std::string& path);

// Decodes an in-memory encoded image; `name` is used in error messages.
Image decode_image_memory(const uint8_t* bytes, size_t size, const std::string& name);

// Whole file into memory; throws naming the file when it cannot be read.
std::vector<uint8_t> read_file_bytes(const std::string& path);

}  // namespace idml::data
