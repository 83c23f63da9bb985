// Thin, non-static entry points to the stb_image copy compiled in
// stb_image_impl.cpp (internal to data/; use decode.h).
#pragma once

namespace idml::data::stb {

// 8-bit RGB pixels (caller frees with free_pixels) or nullptr on failure.
unsigned char* load_rgb(const unsigned char* bytes, int size, int* width, int* height,
                        int* channels_in_file);
bool info(const unsigned char* bytes, int size, int* width, int* height, int* channels);
// stb's reason for the last failure on this thread.
const char* failure_reason();
void free_pixels(unsigned char* pixels);

}  // namespace idml::data::stb
