// JPEG/PNG decoding through stb_image; see decode.h.
#include "data/decode.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "data/jpeg_huffman_guard.h"
#include "data/stb_image_wrapper.h"
#include "engine/error.h"

namespace idml::data {
namespace {

std::atomic<int64_t> max_pixels{kDefaultMaxImagePixels};

}  // namespace

void set_max_image_pixels(int64_t pixels) {
  IDML_CHECK(pixels > 0, "--max-image-pixels must be positive, got ", pixels);
  max_pixels = pixels;
}

int64_t max_image_pixels() { return max_pixels; }

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  IDML_CHECK(file != nullptr, "cannot open ", path, ": ", std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t got = 0;
  while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) {
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  IDML_CHECK(!std::ferror(file.get()), "cannot read ", path);
  return bytes;
}

Image decode_image_memory(const uint8_t* bytes, size_t size, const std::string& name) {
  IDML_CHECK(size > 0, "cannot decode image ", name, ": the file is empty");
  IDML_CHECK(size <= static_cast<size_t>(std::numeric_limits<int>::max()),
             "cannot decode image ", name, ": file too large (", size, " bytes)");
  const std::string problem = jpeg_huffman_table_problem(bytes, size);
  IDML_CHECK(problem.empty(), "cannot decode image ", name, ": ", problem);
  int width = 0, height = 0, channels_in_file = 0;
  // The header's size, before decoding (stb would allocate and decode it all).
  if (stb::info(bytes, static_cast<int>(size), &width, &height, &channels_in_file)) {
    const int64_t declared = int64_t{width} * height;
    IDML_CHECK(declared <= max_image_pixels(), "cannot decode image ", name, ": it declares ", width, " x ",
               height, " pixels (", declared, "), more than the limit of ", max_image_pixels(),
               " (a decompression bomb? raise the limit with --max-image-pixels)");
  }
  unsigned char* pixels = stb::load_rgb(bytes, static_cast<int>(size), &width, &height,
                                        &channels_in_file);
  if (pixels == nullptr) {
    const char* reason = stb::failure_reason();
    const bool has_reason = reason != nullptr && reason[0] != '\0';
    throw Error(detail::concat("cannot decode image ", name, ": ",
                               has_reason ? reason : "not a decodable JPEG or PNG (corrupt or unsupported)",
                               " (JPEG and PNG are supported)"));
  }
  std::unique_ptr<unsigned char, void (*)(unsigned char*)> owned(pixels, &stb::free_pixels);
  IDML_CHECK(width > 0 && height > 0, "cannot decode image ", name, ": empty image");
  Image image(height, width);
  std::memcpy(image.pixels.data(), pixels, image.pixels.size());
  return image;
}

Image decode_image_file(const std::string& path) {
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return decode_image_memory(bytes.data(), bytes.size(), path);
}

}  // namespace idml::data
