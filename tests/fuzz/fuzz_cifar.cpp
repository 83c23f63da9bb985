// libFuzzer target: the CIFAR readers (data/cifar_dataset.cpp). Byte 0 picks
// the format (bit 0: binary batch, else python pickle) and CIFAR-100 (bit 1);
// the rest is the test batch, opened with open_cifar and its first images loaded.
#include "data/classification_datasets.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool binary = data[0] & 1;
  const int classes = data[0] & 2 ? 100 : 10;
  const std::string folder = classes == 10 ? (binary ? "cifar-10-batches-bin" : "cifar-10-batches-py")
                                           : (binary ? "cifar-100-binary" : "cifar-100-python");
  const std::string name = std::string(classes == 10 ? "test_batch" : "test") + (binary ? ".bin" : "");
  // One root per format, so that a batch of another format left by an earlier
  // input is never found instead of this one.
  const auto dir = idml::fuzz::scratch_dir() / std::to_string(data[0] & 3);
  std::filesystem::create_directories(dir / folder);
  idml::fuzz::write_file(dir / folder / name, data + 1, size - 1);
  idml::fuzz::expect_clean([&] {
    const auto dataset = idml::data::open_cifar(dir.string(), classes, idml::data::Split::Eval);
    for (size_t i = 0; i < dataset->size() && i < 4; ++i) {
      dataset->load(i);
      dataset->source(i);
    }
  });
  return 0;
}
