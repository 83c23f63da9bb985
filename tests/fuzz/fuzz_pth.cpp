// libFuzzer target: a .pth file through every layer, ZIP archive (stored and
// deflated members, ZIP64), the pickle VM with torch's hooks, tensor rebuild;
// also the legacy (non-ZIP) format.
#include "fuzz_input.h"
#include "nn/weights/pth.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const idml::io::Bytes>(data, data + size);
  idml::fuzz::expect_clean([&] { idml::weights::load_pth(bytes, "fuzz.pth"); });
  return 0;
}
