// libFuzzer target: Fashion-MNIST's IDX files (uncompressed or gzip). The
// first byte splits the input into the images file and the labels file.
#include "data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t cut = 1 + std::min<size_t>(size - 1, size_t{data[0]} * 4);
  const auto& dir = idml::fuzz::scratch_dir();
  idml::fuzz::write_file(dir / "t10k-images-idx3-ubyte", data + 1, cut - 1);
  idml::fuzz::write_file(dir / "t10k-labels-idx1-ubyte", data + cut, size - cut);
  idml::data::DatasetOptions options;
  options.name = "fashion-mnist";
  options.root = dir.string();
  options.split = idml::data::Split::Eval;
  idml::fuzz::expect_clean([&] {
    const auto dataset = idml::data::open_dataset(options);
    for (size_t i = 0; i < dataset->size() && i < 4; ++i) dataset->load(i);
  });
  return 0;
}
