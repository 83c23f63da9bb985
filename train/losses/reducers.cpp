// PML's reducers and masked log-sum-exp on dense losses; see reducers.h.
#include "train/losses/reducers.h"

#include "engine/ops.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

namespace {

// sum(mask l) / max(count, 1): 0 when count = 0 (the numerator is then 0 too).
Tensor masked_mean(const Tensor& losses, const Tensor& mask, const Tensor& counted) {
  return div(sum(mul(losses, mask)), clamp_min(sum(counted), 1.0));
}

// The row-wise log-sum-exp of x over the mask, with an extra exp(0) term when `add_one`.
enum class ExtraOne { no, yes };
Tensor masked_log_sum_exp(const Tensor& x, const Tensor& mask, ExtraOne extra_one) {
  IDML_CHECK(x.dim() == 2 && mask.shape() == x.shape(), "masked log-sum-exp: x ", x.str(), " and mask ", mask.str(),
             " must be (R, C) of one shape");
  // Dropped entries read as -1e30: exp of them is 0 whatever the shift.
  const Tensor kept = where(mask, x, full({}, -1e30, x.dtype(), x.device()));
  const Tensor any = greater_than(sum(mask, {1}, KeepDim::yes), 0.0);  // (R, 1)
  Tensor shift = max(kept.detach(), 1, KeepDim::yes).values;           // (R, 1), no gradient: the result does not depend on it
  shift = extra_one == ExtraOne::yes ? clamp_min(shift, 0.0) : mul(shift, any);  // empty rows: 0
  Tensor total = sum(exp(sub(kept, shift)), {1}, KeepDim::yes);
  // add_one: + exp(0 - shift); otherwise an empty row sums to 0 and reads log(1) = 0.
  total = extra_one == ExtraOne::yes ? add(total, exp(neg(shift))) : add(total, rsub_scalar(any, 1.0));
  return add(shift, log(total)).reshape({x.size(0)});
}

}  // namespace

Tensor mean_over(const Tensor& losses, const Tensor& mask) { return masked_mean(losses, mask, mask); }

Tensor mean_over_nonzero(const Tensor& losses, const Tensor& mask) {
  return masked_mean(losses, mask, mul(mask, greater_than(losses.detach(), 0.0)));
}

Tensor log1p_sum_exp(const Tensor& x, const Tensor& mask) { return masked_log_sum_exp(x, mask, ExtraOne::yes); }

Tensor log_sum_exp(const Tensor& x, const Tensor& mask) { return masked_log_sum_exp(x, mask, ExtraOne::no); }

}  // namespace idml::train
