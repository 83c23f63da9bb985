// A uniformly random permutation of 0..n-1 from an idml::Generator
// (Fisher-Yates from the back): the mixing partners of a batch, in the
// retrieval step (docs/METHOD.md#5-training-step) and in the classification task's Mixup/CutMix.
#pragma once

#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "engine/generator.h"

namespace idml::train {

inline std::vector<int64_t> random_permutation(int64_t n, Generator& gen) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[i], perm[gen.below(static_cast<uint64_t>(i + 1))]);
  return perm;
}

}  // namespace idml::train
