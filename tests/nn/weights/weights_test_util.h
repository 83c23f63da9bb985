// Helpers shared by the weight file tests: golden paths, the expected values
// written by golden/make_weights.py, a scratch directory, and error checks
// that look at the message.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/error.h"
#include "nn/weights/state_dict.h"
#include "tests/private_directory.h"

namespace idml::weights::testing {

inline std::string golden(const std::string& name) { return std::string(IDML_NN_GOLDEN_DIR) + "/" + name; }

inline const nlohmann::json& expected_values() {
  static const nlohmann::json values = [] {
    std::ifstream in(golden("expected.json"));
    return nlohmann::json::parse(in);
  }();
  return values;
}

inline std::string scratch(const std::string& name) {
  return idml::testing::private_path("weights_" + name);
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Every name of the golden file's expected values is in `dict` with the same
// shape, dtype and values (exact: the files hold the values the test expects).
inline void expect_golden(const StateDict& dict, const std::string& file) {
  const nlohmann::json& expected = expected_values().at(file);
  EXPECT_EQ(dict.size(), expected.size()) << file;
  for (const auto& [name, entry] : expected.items()) {
    SCOPED_TRACE(file + ": " + name);
    const auto found = dict.find(name);
    ASSERT_NE(found, dict.end()) << "missing " << name;
    const Tensor& t = found->second;
    EXPECT_EQ(t.shape(), entry.at("shape").get<Shape>());
    if (entry.at("dtype") == "float32") {
      // load_safetensors keeps F64 as Float64; the golden lists its float32 rounding.
      ASSERT_TRUE(t.dtype() == DType::Float32 || (t.dtype() == DType::Float64 && file.find(".safetensors") != std::string::npos));
      const std::vector<float> values = t.to(DType::Float32).to_vector<float>();
      std::vector<double> want;  // inf and nan come as strings ("inf", "-inf", "nan")
      for (const nlohmann::json& v : entry.at("values"))
        want.push_back(v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>());
      ASSERT_EQ(values.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i])) EXPECT_TRUE(std::isnan(values[i])) << "element " << i;
        else EXPECT_EQ(values[i], static_cast<float>(want[i])) << "element " << i;
      }
    } else {
      ASSERT_EQ(t.dtype(), DType::Int64);
      EXPECT_EQ(t.to_vector<int64_t>(), entry.at("values").get<std::vector<int64_t>>());
    }
  }
}

// `run` throws idml::Error whose message contains every one of `parts`.
inline void expect_error(const std::function<void()>& run, const std::vector<std::string>& parts) {
  try {
    run();
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const std::string& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << "message \"" << message << "\" lacks \"" << part << "\"";
    return;
  }
  ADD_FAILURE() << "no idml::Error thrown (expected one mentioning " << (parts.empty() ? "" : parts[0]) << ")";
}

}  // namespace idml::weights::testing
