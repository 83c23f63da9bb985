// libFuzzer target: Stanford Online Products' Ebay_train.txt / Ebay_test.txt.
// The input up to the first NUL is the train list, the rest the test list.
#include <algorithm>

#include "data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const uint8_t* nul = std::find(data, data + size, 0);
  const auto& dir = idml::fuzz::scratch_dir();
  std::filesystem::create_directories(dir / "Stanford_Online_Products");
  idml::fuzz::write_file(dir / "Stanford_Online_Products/Ebay_train.txt", data, static_cast<size_t>(nul - data));
  const uint8_t* rest = nul == data + size ? nul : nul + 1;
  idml::fuzz::write_file(dir / "Stanford_Online_Products/Ebay_test.txt", rest, static_cast<size_t>(data + size - rest));
  idml::data::DatasetOptions options;
  options.name = "SOP";
  options.root = dir.string();
  for (const auto split : {idml::data::Split::Train, idml::data::Split::Eval}) {
    options.split = split;
    idml::fuzz::expect_clean([&] { idml::data::open_dataset(options); });
  }
  return 0;
}
