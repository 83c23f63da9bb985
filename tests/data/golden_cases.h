// Reads tests/data/golden/manifest.txt (written by make_goldens.py) and the raw
// result files it names.
#pragma once

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace idml::data::testing {

std::string golden_path(const std::string& name);
// Lines of the manifest whose first word is `kind`, as word streams past the kind.
std::vector<std::string> golden_lines(const std::string& kind);
std::vector<uint8_t> read_u8(const std::string& name);
std::vector<float> read_f32(const std::string& name);

}  // namespace idml::data::testing
