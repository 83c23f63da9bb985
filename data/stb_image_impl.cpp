// The one translation unit that compiles stb_image's implementation. Only the
// JPEG and PNG decoders are built (the formats of the datasets); functions are
// static so no symbol clashes with another copy of stb in the process. The
// wrappers below are the only entry points the rest of data/ uses.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
// Larger claims in a header are rejected before any allocation (a corrupt
// header must not ask for gigabytes); real dataset images are far smaller.
#define STBI_MAX_DIMENSIONS (1 << 15)
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#include "stb_image_checked.h"  // Debian stb_image.h + bounds checks, cmake/StbPatch.cmake
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "data/stb_image_wrapper.h"

namespace idml::data::stb {

unsigned char* load_rgb(const unsigned char* bytes, int size, int* width, int* height,
                        int* channels_in_file) {
  return stbi_load_from_memory(bytes, size, width, height, channels_in_file, 3);
}

bool info(const unsigned char* bytes, int size, int* width, int* height, int* channels) {
  return stbi_info_from_memory(bytes, size, width, height, channels) != 0;
}

const char* failure_reason() { return stbi_failure_reason(); }

void free_pixels(unsigned char* pixels) { stbi_image_free(pixels); }

}  // namespace idml::data::stb
