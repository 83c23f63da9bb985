// Small pieces of self-contained HTML: escaping, base64, and thumbnails as
// embedded JPEG data URIs (stb_image_write), so a page needs no other file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"

namespace idml::report {

std::string html_escape(const std::string& text);
std::string base64_encode(const std::vector<uint8_t>& bytes);

// Shrinks `image` so that its longer side is at most `max_side` (area
// averaging; smaller images are kept as they are).
data::Image thumbnail(const data::Image& image, int max_side);

// JPEG bytes of `image` (quality 1-100).
std::vector<uint8_t> encode_jpeg(const data::Image& image, int quality = 85);

// "data:image/jpeg;base64,..." of thumbnail(image, max_side).
std::string jpeg_data_uri(const data::Image& image, int max_side);

// The shared stylesheet of the report and the search page.
const char* page_style();

}  // namespace idml::report
