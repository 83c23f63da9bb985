// The IDML pooling of docs/METHOD.md#2-model.
#include "nn/pooling.h"

namespace idml::nn {

Tensor global_avg_plus_max_pool(const Tensor& x) {
  IDML_CHECK(x.dim() == 4, "global_avg_plus_max_pool: input must be (N, C, H, W), got ", x.str());
  const Tensor pooled = add(adaptive_avg_pool2d_1x1(x), adaptive_max_pool2d_1x1(x));
  return pooled.reshape({x.size(0), x.size(1)});
}

}  // namespace idml::nn
