// libFuzzer target: Stanford Cars' cars_annos.mat (MATLAB v5/v7 through matio,
// then idml's reading of the annotations struct).
#include "data/dataset.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& dir = idml::fuzz::scratch_dir();  // only the .mat file changes between inputs
  std::filesystem::create_directories(dir / "cars196/car_ims");
  idml::fuzz::write_file(dir / "cars196/cars_annos.mat", data, size);
  idml::data::DatasetOptions options;
  options.name = "cars";
  options.root = dir.string();
  options.split = idml::data::Split::Train;
  idml::fuzz::expect_clean([&] { idml::data::open_dataset(options); });
  return 0;
}
