// Which operands of a matrix product enter transposed: op(a) @ op(b). Shared
// by matmul (engine/ops.h) and the backends' gemm (engine/backend.h), so that
// no call passes two positional booleans.
#pragma once

namespace idml {

enum class Transpose { none, first, second, both };
constexpr bool transposes_first(Transpose t) { return t == Transpose::first || t == Transpose::both; }
constexpr bool transposes_second(Transpose t) { return t == Transpose::second || t == Transpose::both; }
constexpr Transpose transpose_of(bool first, bool second) {
  return first ? (second ? Transpose::both : Transpose::first) : (second ? Transpose::second : Transpose::none);
}

}  // namespace idml
