// libFuzzer target: the .npy reader (magic, versions 1-3, header dict, shape
// products, dtypes), as float32 and as int64.
#include "fuzz_input.h"
#include "io/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = idml::fuzz::write_file(idml::fuzz::scratch_dir() / "in.npy", data, size);
  idml::fuzz::expect_clean([&] { idml::npy::read_npy_float32(path); });
  idml::fuzz::expect_clean([&] { idml::npy::read_npy_int64(path); });
  return 0;
}
