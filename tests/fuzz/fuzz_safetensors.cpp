// libFuzzer target: the safetensors reader (header JSON, offsets, dtypes).
#include "fuzz_input.h"
#include "nn/weights/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = std::make_shared<const idml::io::Bytes>(data, data + size);
  idml::fuzz::expect_clean([&] { idml::weights::parse_safetensors(bytes, "fuzz.safetensors"); });
  return 0;
}
