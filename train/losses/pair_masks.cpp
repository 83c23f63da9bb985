// Same-class, positive and negative pair masks of a batch; see pair_masks.h.
#include "train/losses/pair_masks.h"

#include "engine/ops.h"

namespace idml::train {

Tensor positions(int64_t n, DType dtype, Device device) { return arange(n, device).to(dtype); }

Tensor greater_than(const Tensor& x, double c) { return gt(x, full({}, c, x.dtype(), x.device())); }

Tensor less_than(const Tensor& x, double c) { return lt(x, full({}, c, x.dtype(), x.device())); }

PairMasks pair_masks(const Tensor& labels, DType dtype) {
  IDML_CHECK(labels.dim() == 1 && labels.dtype() == DType::Int64, "pair masks: labels must be int64 (B), got ",
             labels.str());
  const int64_t n = labels.size(0);
  // Class indices are far below 2^24, so float32 compares them exactly.
  const Tensor y = labels.to(dtype);
  const Tensor index = positions(n, dtype, labels.device());
  PairMasks masks;
  masks.same = eq(y.reshape({n, 1}), y.reshape({1, n}));
  const Tensor diagonal = eq(index.reshape({n, 1}), index.reshape({1, n}));
  masks.positive = sub(masks.same, diagonal);
  masks.negative = rsub_scalar(masks.same, 1.0);
  return masks;
}

}  // namespace idml::train
