// The weight formula of golden/make_models.py, so a model here and the same
// torchvision model there hold identical weights without a weight file:
// tensor k of state_dict order gets v[i] = splitmix64(i + k 2^32) / 2^64 - 0.5,
// scaled by role (He scale for conv/linear weights, BN gamma around 0.5 and
// 0.4 times that on bottleneck bn3, running_var in [1, 1.5], small biases and means).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "nn/module.h"

namespace idml::testing {

inline std::vector<double> hash_values(int64_t n, int64_t k) {
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {  // splitmix64
    uint64_t z = static_cast<uint64_t>(i) + (static_cast<uint64_t>(k) << 32) + 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    v[static_cast<size_t>(i)] = static_cast<double>(z >> 11) / 9007199254740992.0 - 0.5;
  }
  return v;
}

inline bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

inline Tensor hash_tensor(const Shape& shape, int64_t k, double scale = 1.0) {
  std::vector<float> f;
  for (double x : hash_values(shape_numel(shape), k)) f.push_back(static_cast<float>(x * scale));
  return from_vector(f, shape);
}

inline void deterministic_fill(nn::Module& module) {
  constexpr double kBnWeight = 0.5;
  int64_t k = 0;
  for (auto& [name, t] : module.named_state()) {
    const int64_t index = k++;
    if (ends_with(name, "num_batches_tracked")) {
      t.copy_(zeros({}, DType::Int64));
      continue;
    }
    std::vector<double> v = hash_values(t.numel(), index);
    for (double& x : v) {
      if (t.dim() >= 2) x *= std::sqrt(12.0) * std::sqrt(2.0 / static_cast<double>(t.numel() / t.size(0)));
      else if (ends_with(name, "running_var")) x = 1.0 + 0.5 * (x + 0.5);
      else if (ends_with(name, "running_mean") || ends_with(name, "bias")) x *= 0.2;
      else if (ends_with(name, "weight")) x = (kBnWeight + 0.2 * x) * (ends_with(name, "bn3.weight") ? 0.4 : 1.0);
    }
    std::vector<float> f(v.begin(), v.end());
    t.copy_(from_vector(f, t.shape()));
  }
}

// The golden input: hash_values(numel, 1000) * sqrt(12) (unit variance).
inline Tensor golden_input(const Shape& shape, int64_t k = 1000) { return hash_tensor(shape, k, std::sqrt(12.0)); }

}  // namespace idml::testing
