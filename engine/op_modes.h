// Named modes shared by the op front-ends (engine/ops.h) and the backends'
// kernels (engine/backend.h), so that no call passes a positional boolean.
#pragma once

namespace idml {

// Which operands of a matrix product enter transposed: op(a) @ op(b).
enum class Transpose { none, first, second, both };
constexpr bool transposes_first(Transpose t) { return t == Transpose::first || t == Transpose::both; }
constexpr bool transposes_second(Transpose t) { return t == Transpose::second || t == Transpose::both; }

// How a batch norm normalises (PyTorch's `training` argument): by the batch's
// statistics, updating the running ones (training), or by the running ones.
enum class BatchNormMode { training, inference };

}  // namespace idml
