// The similarity margin of ISM (docs/METHOD.md#3-ism) between a sample's true proxy and the
// best other proxy: m_i = sim(i, p_{y_i}) - max_{c != y_i} sim(i, p_c).
// m_i > 0: the sample sits closer to its own class's proxy than to any other.
// Only samples of the training classes have a true proxy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace idml::report {

// semantic, uncertainty (n, d) row-major; proxies (C, d); labels in [0, C).
// metric: "ism" (introspective similarity) or "cosine" (cos0 only), as in training.
std::vector<double> proxy_margins(const std::vector<float>& semantic, const std::vector<float>& uncertainty,
                                  int64_t n, int64_t d, const std::vector<int64_t>& labels, const Tensor& proxies,
                                  const std::string& metric);

}  // namespace idml::report
