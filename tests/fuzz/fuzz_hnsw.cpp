// libFuzzer target: an HNSW index file (train/search/hnsw_index.h) for the 24
// rows below (D = 8, M = 4), opened with an expectation that matches its size
// and checksum, so that mutations meet the checks of the header, the link
// lists, the links and the vectors; a file that opens is searched from every
// row. Seed: corpus/hnsw, written by corpus/make_seeds.py from the same rows.
#include <vector>

#include "fuzz_input.h"
#include "train/search/hnsw_index.h"

namespace {

constexpr int64_t kRows = 24, kDim = 8, kM = 4;

// Row i, component c: ((8i + c) * 5 mod 11 - 5) / 4, exact in float.
std::vector<float> fuzz_rows() {
  std::vector<float> rows;
  for (int64_t i = 0; i < kRows; ++i)
    for (int64_t c = 0; c < kDim; ++c) rows.push_back(static_cast<float>((i * 8 + c) * 5 % 11 - 5) / 4);
  return rows;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<float> rows = fuzz_rows();
  const std::string path = idml::fuzz::write_file(idml::fuzz::scratch_dir() / "in_hnsw.bin", data, size);
  idml::fuzz::expect_clean([&] {
    const idml::search::HnswExpectation expected{idml::search::fingerprint_file(path), kRows, kDim, kM};
    const auto index = idml::search::HnswIndex::open(path, expected, rows.data());
    for (int64_t i = 0; i < kRows; ++i) index->candidates(rows.data() + i * kDim, 8);
  });
  return 0;
}
