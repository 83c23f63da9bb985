// libFuzzer target: In-shop's Eval/list_eval_partition.txt, parsed from memory
// (parse_inshop_partition) and through open_dataset as the file of a layout
// (whose listed images do not exist: that error, or a parse error, is expected).
#include <sstream>

#include "data/dataset.h"
#include "data/inshop_partition.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  idml::fuzz::expect_clean([&] {
    std::istringstream in(text);
    idml::data::parse_inshop_partition(in, "list_eval_partition.txt");
  });
  const auto& dir = idml::fuzz::scratch_dir();
  std::filesystem::create_directories(dir / "Inshop_Clothes/Eval");
  idml::fuzz::write_file(dir / "Inshop_Clothes/Eval/list_eval_partition.txt", data, size);
  idml::data::DatasetOptions options;
  options.name = "Inshop";
  options.root = dir.string();
  options.split = idml::data::Split::Query;
  idml::fuzz::expect_clean([&] { idml::data::open_dataset(options); });
  return 0;
}
