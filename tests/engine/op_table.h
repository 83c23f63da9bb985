// The op table (after ggml's test-backend-ops): one row per op case, with
// its inputs, the call, the naive reference of engine/cpu/reference.h and
// tolerances. Adding an op means adding a row; the runners check every row:
//   tests/engine/ops/test_op_table.cpp   forward against the reference in
//                                        float64 and float32; gradients
//                                        against finite differences (float64);
//   tests/engine/cuda/test_cuda_op_table.cpp  forward and backward on CUDA
//                                        against the CPU, outputs poisoned.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/generator.h"
#include "engine/tensor.h"

namespace idml::testing {

enum class Input {
  Normal,    // N(0, 1)
  Positive,  // 0.2 + |N(0, 1)|: log, sqrt, denominators
  Spread,    // +-(0.2 + |N(0, 1)|), nudged off the kinks of relu/clamp (0, -0.7, 0.5, 0.9)
  Mask,      // 0 or 1 in the row's dtype; never requires grad
  Index,     // int64 in [0, index_limit); never requires grad
};

inline bool takes_gradient(Input kind) { return kind != Input::Mask && kind != Input::Index; }

using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

struct OpRow {
  std::string name;  // letters, digits and '_' (a test name)
  std::vector<Shape> shapes;
  std::vector<Input> kinds;
  TensorFn call;       // the op under test
  TensorFn reference;  // naive float64 reference (engine/cpu/reference.h)
  bool differentiable = true;
  double float32_tolerance = 2e-6;  // forward against the reference, relative to 1 + |reference|
  double cuda_float32_tolerance = 1e-5;  // CUDA against CPU (float64 rows: 1e-9)
  int64_t index_limit = 0;  // Index inputs: values below this
  // When set, the forward and CUDA checks also run at these shapes: large
  // enough for the CPU's parallel loops and several CUDA blocks.
  std::vector<Shape> large_shapes = {};
};

const std::vector<OpRow>& op_table();

// The row's inputs at `shapes` in dtype on the CPU (Index inputs int64), none
// requiring grad.
std::vector<Tensor> make_inputs(const OpRow& row, const std::vector<Shape>& shapes, DType dtype, Generator& gen);

inline void PrintTo(const OpRow& row, std::ostream* os) { *os << row.name; }

// For INSTANTIATE_TEST_SUITE_P: the row's name.
struct RowName {
  std::string operator()(const ::testing::TestParamInfo<OpRow>& info) const { return info.param.name; }
};

}  // namespace idml::testing
