// Element-type dispatch, in one place for the CPU and CUDA backends: a
// generic lambda is called with a zero of the C++ type of a DType.
#pragma once

#include <cstdint>
#include <string>

#include "engine/dtype.h"
#include "engine/error.h"

namespace idml {

// Calls f(T{}) with T = float or double according to dtype; int64 is an error
// naming `what`.
template <typename F>
void dispatch_float(DType dtype, const char* what, F&& f) {
  if (dtype == DType::Float32) {
    f(float{});
  } else if (dtype == DType::Float64) {
    f(double{});
  } else {
    throw Error(std::string(what) + ": not defined for " + dtype_name(dtype));
  }
}

// Calls f(T{}) with T = float, double or int64_t.
template <typename F>
void dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32: f(float{}); break;
    case DType::Float64: f(double{}); break;
    case DType::Int64: f(int64_t{}); break;
  }
}

// Calls f(S{}, D{}) for a conversion from `from` to `to` (all nine pairs).
template <typename F>
void dispatch_cast(DType from, DType to, F&& f) {
  dispatch_any(from, [&](auto src_zero) { dispatch_any(to, [&](auto dst_zero) { f(src_zero, dst_zero); }); });
}

}  // namespace idml
