// HTML escaping, base64, thumbnails and the page style. The stb_image_write
// implementation is compiled here, static, JPEG only.
#include "train/report/html.h"

#include <algorithm>

#include "engine/error.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#endif
#include <stb_image_write_checked.h>  // cmake/StbPatch.cmake
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace idml::report {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64_encode(const std::vector<uint8_t>& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const uint32_t b0 = bytes[i], b1 = i + 1 < bytes.size() ? bytes[i + 1] : 0,
                   b2 = i + 2 < bytes.size() ? bytes[i + 2] : 0;
    const uint32_t triple = (b0 << 16) | (b1 << 8) | b2;
    out += alphabet[(triple >> 18) & 63];
    out += alphabet[(triple >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(triple >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[triple & 63] : '=';
  }
  return out;
}

data::Image thumbnail(const data::Image& image, int max_side) {
  IDML_CHECK(!image.empty(), "thumbnail: empty image");
  const int longer = std::max(image.height, image.width);
  if (longer <= max_side) return image;
  const double scale = static_cast<double>(longer) / max_side;
  data::Image out(std::max(1, static_cast<int>(image.height / scale)), std::max(1, static_cast<int>(image.width / scale)));
  // Output pixel (y, x) averages the input pixels of its box [y*s, (y+1)*s) x [x*s, (x+1)*s).
  for (int y = 0; y < out.height; ++y) {
    const int y0 = static_cast<int>(y * scale), y1 = std::max(y0 + 1, std::min(image.height, static_cast<int>((y + 1) * scale)));
    for (int x = 0; x < out.width; ++x) {
      const int x0 = static_cast<int>(x * scale), x1 = std::max(x0 + 1, std::min(image.width, static_cast<int>((x + 1) * scale)));
      for (int c = 0; c < 3; ++c) {
        uint32_t sum = 0;
        for (int yy = y0; yy < y1; ++yy)
          for (int xx = x0; xx < x1; ++xx) sum += image.row(yy)[xx * 3 + c];
        const uint32_t count = static_cast<uint32_t>((y1 - y0) * (x1 - x0));
        out.row(y)[x * 3 + c] = static_cast<uint8_t>((sum + count / 2) / count);
      }
    }
  }
  return out;
}

std::vector<uint8_t> encode_jpeg(const data::Image& image, int quality) {
  IDML_CHECK(!image.empty(), "encode_jpeg: empty image");
  std::vector<uint8_t> bytes;
  auto append = [](void* context, void* data, int size) {
    auto* out = static_cast<std::vector<uint8_t>*>(context);
    const auto* begin = static_cast<const uint8_t*>(data);
    out->insert(out->end(), begin, begin + size);
  };
  const int ok = stbi_write_jpg_to_func(append, &bytes, image.width, image.height, 3, image.pixels.data(), quality);
  IDML_CHECK(ok != 0 && !bytes.empty(), "encode_jpeg: stb_image_write failed on a ", image.width, "x", image.height,
             " image");
  return bytes;
}

std::string jpeg_data_uri(const data::Image& image, int max_side) {
  return "data:image/jpeg;base64," + base64_encode(encode_jpeg(thumbnail(image, max_side)));
}

const char* page_style() {
  return R"(body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0 0 12px}pre{background:#f5f5f5;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f2f2f2}td.l,th.l{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:10px}
.charts svg{border:1px solid #e6e6e6}.scroll{overflow-x:auto}.config td{text-align:left}
.row{display:flex;align-items:flex-start;gap:6px;margin:0 0 8px}.cell{width:84px;font-size:10px;text-align:center;overflow:hidden}
.cell img{display:block;margin:0 auto;width:72px;height:72px;object-fit:contain;background:#eee;border:3px solid #bbb}
.cell.q img{border-color:#3566c8}.cell.hit img{border-color:#2a9d3a}.cell.miss img{border-color:#d0302f}
.cell .n{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.gap{width:14px}
.note{color:#555;font-size:13px;max-width:900px}.legend span{display:inline-block;margin-right:14px}
)";
}

}  // namespace idml::report
