// Reading tests/models/golden/models.json and comparing against it with the
// issue's criterion: max |ours - torch| <= 1e-4 * max |torch|.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tensor.h"

namespace idml::testing {

inline const nlohmann::json& models_golden() {
  static const nlohmann::json golden = [] {
    const std::string path = std::string(IDML_MODELS_GOLDEN_DIR) + "/models.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(in);
  }();
  return golden;
}

inline std::vector<float> head_of(const Tensor& t, size_t n) {
  std::vector<float> v = t.detach().to_vector<float>();
  v.resize(std::min(v.size(), n));
  return v;
}

inline void expect_close(const std::vector<float>& ours, const nlohmann::json& expected, const std::string& what,
                         double relative = 1e-4) {
  const std::vector<double> torch_values = expected.get<std::vector<double>>();
  ASSERT_EQ(ours.size(), torch_values.size()) << what;
  double scale = 0.0, error = 0.0;
  for (size_t i = 0; i < ours.size(); ++i) {
    scale = std::max(scale, std::abs(torch_values[i]));
    error = std::max(error, std::abs(ours[i] - torch_values[i]));
  }
  EXPECT_GT(scale, 0.0) << what << ": golden is all zeros";
  EXPECT_LE(error, relative * scale) << what << ": max error " << error << " vs max |torch| " << scale;
}

// |ours - expected| <= tolerance, by default 1e-4 |expected|.
inline void expect_close_scalar(double ours, double expected, const std::string& what, double tolerance = -1.0) {
  if (tolerance < 0.0) tolerance = 1e-4 * std::abs(expected);
  EXPECT_LE(std::abs(ours - expected), tolerance) << what << ": " << ours << " vs " << expected;
}

}  // namespace idml::testing
