// Ops built from other ops; their gradients come from the parts.
#include "engine/ops.h"

namespace idml {

Tensor l2_normalize(const Tensor& x, int64_t dim, double eps) {
  const Tensor norm = sqrt(add_scalar(sum(mul(x, x), {dim}, KeepDim::yes), eps));
  return div(x, norm);
}

}  // namespace idml
