// Proxy margins with the loss's own similarity functions (no graph).
#include "train/report/proxy_margin.h"

#include <algorithm>
#include <limits>

#include "engine/autograd.h"
#include "engine/error.h"
#include "train/losses/introspective_similarity.h"

namespace idml::report {

std::vector<double> proxy_margins(const std::vector<float>& semantic, const std::vector<float>& uncertainty,
                                  int64_t n, int64_t d, const std::vector<int64_t>& labels, const Tensor& proxies,
                                  const std::string& metric) {
  IDML_CHECK(proxies.dim() == 2 && proxies.size(1) == d, "proxy margins: proxies of shape ", proxies.str(),
             " do not match embeddings of size ", d);
  IDML_CHECK(static_cast<int64_t>(labels.size()) == n, "proxy margins: ", labels.size(), " labels for ", n, " rows");
  const int64_t classes = proxies.size(0);
  IDML_CHECK(classes >= 2, "proxy margins: need at least 2 proxies, got ", classes);
  NoGradGuard no_grad;
  const Tensor p = proxies.to(DType::Float32).to(Device::cpu());
  const Tensor s = from_vector(semantic, {n, d});
  const Tensor sim = metric == "cosine" ? train::cosine_similarity_matrix(s, p)
                                        : train::introspective_similarity(s, from_vector(uncertainty, {n, d}), p);
  const std::vector<float> values = sim.to_vector<float>();  // (n, C)
  std::vector<double> margins(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t y = labels[static_cast<size_t>(i)];
    IDML_CHECK(y >= 0 && y < classes, "proxy margins: label ", y, " has no proxy (", classes, " proxies)");
    const float* row = values.data() + i * classes;
    double best_other = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < classes; ++c)
      if (c != y) best_other = std::max(best_other, static_cast<double>(row[c]));
    margins[static_cast<size_t>(i)] = row[y] - best_other;
  }
  return margins;
}

}  // namespace idml::report
