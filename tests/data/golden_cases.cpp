// Manifest and raw-file readers for the golden tests.
#include "golden_cases.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "data/decode.h"

namespace idml::data::testing {

std::string golden_path(const std::string& name) { return std::string(IDML_DATA_GOLDEN_DIR) + "/" + name; }

std::vector<std::string> golden_lines(const std::string& kind) {
  std::ifstream in(golden_path("manifest.txt"));
  if (!in) throw std::runtime_error("missing " + golden_path("manifest.txt"));
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, kind.size() + 1, kind + " ") == 0) out.push_back(line.substr(kind.size() + 1));
  }
  return out;
}

std::vector<uint8_t> read_u8(const std::string& name) { return read_file_bytes(golden_path(name)); }

std::vector<float> read_f32(const std::string& name) {
  const std::vector<uint8_t> bytes = read_file_bytes(golden_path(name));
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

}  // namespace idml::data::testing
