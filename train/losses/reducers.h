// The reductions of PML 2.x (pytorch-metric-learning) on dense losses: each
// element of `losses` counts where `mask` is 1, as if it were in PML's list of
// per-pair, per-triplet or per-sample losses. Masks are 0/1 in the losses' dtype.
//
//   mean_over(l, mask)         = sum(mask l) / count(mask)                   MeanReducer
//   mean_over_nonzero(l, mask) = sum(mask l) / count(mask and l > 0)         AvgNonZeroReducer
// Both are 0 with zero gradient when nothing counts. (PML's AvgNonZeroReducer
// returns 0 there too; its MeanReducer would take the mean of an empty tensor,
// NaN, which only Proxy-NCA can reach, see proxy_nca.h.)
//
//   log1p_sum_exp(x, mask)[i]  = log(1 + sum_j mask_ij exp(x_ij))             lmu.logsumexp(add_one=True)
//   log_sum_exp(x, mask)[i]    = log(sum_j mask_ij exp(x_ij)), 0 on empty rows
// both shifted by the row's largest kept value, so they never overflow; no
// gradient reaches the entries the mask drops.
#pragma once

#include "engine/tensor.h"

namespace idml::train {

// losses, mask: the same shape (any) -> scalar.
Tensor mean_over(const Tensor& losses, const Tensor& mask);
Tensor mean_over_nonzero(const Tensor& losses, const Tensor& mask);

// x, mask (R, C) -> (R).
Tensor log1p_sum_exp(const Tensor& x, const Tensor& mask);
Tensor log_sum_exp(const Tensor& x, const Tensor& mask);

}  // namespace idml::train
