// libFuzzer target: JPEG and PNG decoding as the loader does it: the Huffman
// guard, the pixel bound, then stb_image (with the bounds checks of
// cmake/StbPatch.cmake). The bound is lowered so one input stays fast.
#include "data/decode.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool bounded = (idml::data::set_max_image_pixels(1 << 20), true);
  (void)bounded;
  idml::fuzz::expect_clean([&] { idml::data::decode_image_memory(data, size, "fuzz.img"); });
  return 0;
}
