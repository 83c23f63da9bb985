// The IDML pooling of docs/METHOD.md#2-model.
#include "nn/pooling.h"

namespace idml::nn {

Tensor global_avg_plus_max_pool(const Tensor& features) {
  IDML_CHECK(features.dim() == 4, "global_avg_plus_max_pool: input must be (N, C, H, W), got ", features.str());
  const Tensor x = to_plain(features);  // once for both pools (the last convolution may leave it blocked)
  const Tensor pooled = add(adaptive_avg_pool2d_1x1(x), adaptive_max_pool2d_1x1(x));
  return pooled.reshape({x.size(0), x.size(1)});
}

}  // namespace idml::nn
