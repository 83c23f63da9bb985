// The copy, fill/cast, reduction, linear-algebra, indexing and optimizer
// kernels of the CUDA backend against the CPU backend on random inputs,
// float32 and float64, outputs poisoned before the call (the elementwise ops
// are rows of the op table: test_cuda_op_table.cpp). Tolerances (relative, on
// 1 + |cpu value|): sums 1e-6 (both accumulate in double), GEMM 1e-5 in full FP32
// (summation order differs) and TF32 1e-2, both on the rms of the
// result; float64 1e-10; selections and indices exact.
#include <array>

#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

class CudaKernels : public CudaTest {};

const DType kFloatTypes[] = {DType::Float32, DType::Float64};

TEST_F(CudaKernels, CopiesRoundTripThroughStagingInChunksLargerThanTheStagingBuffer) {
  Generator gen(1);
  // 40 MB: more than two 16 MB staging chunks.
  const Tensor h = randn({10 * 1000 * 1000}, gen);
  const Tensor d = h.to(Device::cuda());
  const Tensor d2 = empty(h.shape(), h.dtype(), Device::cuda());
  d2.copy_(d);  // device to device
  EXPECT_EQ(d2.to(Device::cpu()).to_vector<float>(), h.to_vector<float>());
}

TEST_F(CudaKernels, FillAndCastBetweenAllDtypes) {
  Generator gen(2);
  for (DType from : {DType::Float32, DType::Float64, DType::Int64}) {
    for (DType to : {DType::Float32, DType::Float64, DType::Int64}) {
      Tensor values = randn({1001}, gen, 0.0, 50.0, DType::Float64).to(from);
      const Pair x = on_both(values);
      const Pair out = poisoned_pair({1001}, to);
      cpu().cast(from, to, x.c(), out.c(), 1001);
      gpu().cast(from, to, x.g(), out.g(), 1001);
      expect_close(out, 0.0, std::string("cast ") + name(from) + " -> " + name(to));
    }
    const Pair out = poisoned_pair({777}, from);
    cpu().fill(from, out.c(), 777, 3.0);
    gpu().fill(from, out.g(), 777, 3.0);
    expect_close(out, 0.0, std::string("fill ") + name(from));
  }
}

TEST_F(CudaKernels, SumAxisMatchesCpuOnRowColumnAndSplitPaths) {
  Generator gen(5);
  // (outer, reduce, inner): rows, long rows split into chunks, columns, long columns split.
  const std::vector<std::array<int64_t, 3>> sizes = {
      {37, 53, 1}, {3, 100000, 1}, {1, 1, 1}, {5, 7, 33}, {2, 3000, 17}, {1, 5000, 2}, {4, 0, 3}};
  for (DType dtype : kFloatTypes) {
    for (const auto& [outer, reduce, inner] : sizes) {
      const Pair x = random_pair({outer * reduce * inner}, gen, dtype);
      const Pair out = poisoned_pair({outer * inner}, dtype);
      cpu().sum_axis(dtype, x.c(), out.c(), outer, reduce, inner);
      gpu().sum_axis(dtype, x.g(), out.g(), outer, reduce, inner);
      expect_close(out, tol_for(dtype, 1e-6),
                   "sum " + shape_str({outer, reduce, inner}) + " " + name(dtype));
    }
  }
}

TEST_F(CudaKernels, MaxAxisTakesTheFirstMaximumAndPropagatesNaN) {
  Generator gen(6);
  const std::vector<std::array<int64_t, 3>> sizes = {{37, 53, 1}, {2, 5000, 1}, {5, 7, 33}, {3, 40, 1}, {1, 1, 9}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (DType dtype : kFloatTypes) {
    for (const auto& [outer, reduce, inner] : sizes) {
      // Values from a small set: ties everywhere; a few NaNs.
      std::vector<double> values(outer * reduce * inner);
      for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(gen.below(5));
      for (int k = 0; k < 3; ++k) values[gen.below(values.size())] = nan;
      const Pair x = on_both(from_vector(values, {static_cast<int64_t>(values.size())}).to(dtype));
      const Pair v = poisoned_pair({outer * inner}, dtype);
      const Pair idx = poisoned_pair({outer * inner}, DType::Int64);
      cpu().max_axis(dtype, x.c(), v.c(), static_cast<int64_t*>(idx.c()), outer, reduce, inner);
      gpu().max_axis(dtype, x.g(), v.g(), static_cast<int64_t*>(idx.g()), outer, reduce, inner);
      const std::string what = "max " + shape_str({outer, reduce, inner}) + " " + name(dtype);
      expect_close(v, 0.0, what);
      expect_equal_indices(idx, what);
      const Pair dy = random_pair({outer * inner}, gen, dtype);
      const Pair dx = poisoned_pair({outer * reduce * inner}, dtype);
      cpu().max_axis_backward(dtype, dy.c(), static_cast<int64_t*>(idx.c()), dx.c(), outer, reduce, inner);
      gpu().max_axis_backward(dtype, dy.g(), static_cast<int64_t*>(idx.g()), dx.g(), outer, reduce, inner);
      expect_close(dx, 0.0, "backward of " + what);
    }
  }
}

TEST_F(CudaKernels, GemmMatchesCpuForEveryTransposeWithStridesAlphaAndBeta) {
  Generator gen(7);
  const int64_t m = 67, n = 45, k = 129, pad = 3;  // leading dims larger than the rows
  for (DType dtype : kFloatTypes) {
    for (Transpose t : {Transpose::none, Transpose::second, Transpose::first, Transpose::both}) {
      const bool ta = transposes_first(t), tb = transposes_second(t);
      const int64_t a_rows = ta ? k : m, a_cols = ta ? m : k, b_rows = tb ? n : k, b_cols = tb ? k : n;
      const Pair a = random_pair({a_rows, a_cols + pad}, gen, dtype);
      const Pair b = random_pair({b_rows, b_cols + pad}, gen, dtype);
      const Pair c = random_pair({m, n + pad}, gen, dtype);  // beta != 0 reads C
      cpu().gemm(dtype, t, m, n, k, 0.75, a.c(), a_cols + pad, b.c(), b_cols + pad, 0.5, c.c(), n + pad);
      gpu().gemm(dtype, t, m, n, k, 0.75, a.g(), a_cols + pad, b.g(), b_cols + pad, 0.5, c.g(), n + pad);
      expect_close(c, tol_for(dtype, 1e-5),
                   std::string("gemm ta ") + (ta ? "1" : "0") + " tb " + (tb ? "1" : "0") + " " + name(dtype),
                   Scale::Rms);
    }
  }
}

TEST_F(CudaKernels, GemmWithTf32StaysWithinTf32Tolerance) {
  // TF32 keeps 10 mantissa bits: each product is off by ~1e-3 of its size,
  // so a sum of k products is off by ~1e-3 of the sums' rms (~sqrt(k)).
  cuda::set_math_options({true, true});
  Generator gen(8);
  const int64_t m = 128, n = 96, k = 256;
  const Pair a = random_pair({m, k}, gen, DType::Float32);
  const Pair b = random_pair({k, n}, gen, DType::Float32);
  const Pair c = poisoned_pair({m, n}, DType::Float32);
  cpu().gemm(DType::Float32, Transpose::none, m, n, k, 1.0, a.c(), k, b.c(), n, 0.0, c.c(), n);
  gpu().gemm(DType::Float32, Transpose::none, m, n, k, 1.0, a.g(), k, b.g(), n, 0.0, c.g(), n);
  expect_close(c, 1e-2, "gemm tf32", Scale::Rms);
}

TEST_F(CudaKernels, TransposeAndCopyRowsMatchCpu) {
  Generator gen(9);
  for (DType dtype : kFloatTypes) {
    for (const auto& [rows, cols] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {33, 65}, {100, 7}}) {
      const Pair x = random_pair({rows, cols}, gen, dtype);
      const Pair out = poisoned_pair({cols, rows}, dtype);
      cpu().transpose2d(dtype, x.c(), out.c(), rows, cols);
      gpu().transpose2d(dtype, x.g(), out.g(), rows, cols);
      expect_close(out, 0.0, "transpose " + shape_str({rows, cols}));
    }
    const Pair src = random_pair({9, 20}, gen, dtype);
    const Pair dst = poisoned_pair({9, 31}, dtype);
    cpu().copy_rows(dtype, src.c(), 20, dst.c(), 31, 9, 31 - 11);
    gpu().copy_rows(dtype, src.g(), 20, dst.g(), 31, 9, 31 - 11);
    // Only the copied block is defined: compare the first 20 columns of each row.
    expect_close(narrow(dst.gpu.to(Device::cpu()), 1, 0, 20), narrow(dst.cpu, 1, 0, 20), 0.0, "copy_rows");
  }
}

TEST_F(CudaKernels, IndexSelectGatherTheirScatterAddsAndOneHotMatchCpu) {
  Generator gen(10);
  for (DType dtype : kFloatTypes) {
    const int64_t rows = 50, row_size = 37;
    const Pair x = random_pair({rows, row_size}, gen, dtype);
    std::vector<int64_t> picks(300);
    for (auto& p : picks) p = static_cast<int64_t>(gen.below(rows));  // many repeats
    const Pair idx = index_pair(picks);
    const auto* ic = static_cast<const int64_t*>(idx.c());
    const auto* ig = static_cast<const int64_t*>(idx.g());
    const Pair selected = poisoned_pair({300, row_size}, dtype);
    cpu().index_select_rows(dtype, x.c(), rows, ic, 300, row_size, selected.c());
    gpu().index_select_rows(dtype, x.g(), rows, ig, 300, row_size, selected.g());
    expect_close(selected, 0.0, std::string("index_select_rows ") + name(dtype));

    const Pair accum = random_pair({rows, row_size}, gen, dtype);  // adds into existing values
    cpu().index_add_rows(dtype, selected.c(), ic, 300, row_size, accum.c(), rows);
    gpu().index_add_rows(dtype, selected.g(), ig, 300, row_size, accum.g(), rows);
    expect_close(accum, tol_for(dtype, 1e-6), std::string("index_add_rows ") + name(dtype));

    const int64_t k = 9;
    std::vector<int64_t> cols(rows * k);
    for (auto& c : cols) c = static_cast<int64_t>(gen.below(row_size));
    const Pair cidx = on_both(from_vector(cols, {rows, k}));
    const Pair gathered = poisoned_pair({rows, k}, dtype);
    cpu().gather_cols(dtype, x.c(), rows, row_size, static_cast<int64_t*>(cidx.c()), k, gathered.c());
    gpu().gather_cols(dtype, x.g(), rows, row_size, static_cast<int64_t*>(cidx.g()), k, gathered.g());
    expect_close(gathered, 0.0, "gather_cols");
    const Pair dx = random_pair({rows, row_size}, gen, dtype);
    cpu().scatter_add_cols(dtype, gathered.c(), rows, row_size, static_cast<int64_t*>(cidx.c()), k, dx.c());
    gpu().scatter_add_cols(dtype, gathered.g(), rows, row_size, static_cast<int64_t*>(cidx.g()), k, dx.g());
    expect_close(dx, tol_for(dtype, 1e-6), "scatter_add_cols");

    const Pair hot = poisoned_pair({300, rows}, dtype);
    cpu().one_hot(ic, 300, rows, dtype, hot.c());
    gpu().one_hot(ig, 300, rows, dtype, hot.g());
    expect_close(hot, 0.0, "one_hot");
  }
  // Row selection copies int64 rows too.
  const Pair labels = index_pair({5, 6, 7, 8});
  const Pair picked = poisoned_pair({3}, DType::Int64);
  const Pair which = index_pair({3, 0, 3});
  cpu().index_select_rows(DType::Int64, labels.c(), 4, static_cast<int64_t*>(which.c()), 3, 1, picked.c());
  gpu().index_select_rows(DType::Int64, labels.g(), 4, static_cast<int64_t*>(which.g()), 3, 1, picked.g());
  expect_equal_indices(picked, "index_select_rows int64");
}

// The fused Adam/AdamW step: parameter and both moments, every decay mode.
// nvcc may contract a * b + c into one FMA, so float32 agrees to a few ulps.
TEST_F(CudaKernels, AdamStepMatchesCpu) {
  Generator gen(77);
  for (DType dtype : {DType::Float32, DType::Float64})
    for (bool decoupled : {false, true})
      for (double decay : {0.0, 0.01}) {
        const AdamStep step{1e-3, 0.9, 0.999, 1e-8, decay, 1 - std::pow(0.9, 5), 1 - std::pow(0.999, 5), decoupled};
        const Pair p = random_pair({1000, 7}, gen, dtype), g = random_pair({1000, 7}, gen, dtype);
        const Pair m = random_pair({1000, 7}, gen, dtype, 0.1);
        const Pair v = on_both(rand({1000, 7}, gen, 0.0, 0.01, dtype));
        cpu().adam_step(dtype, step, 7000, p.c(), g.c(), m.c(), v.c());
        gpu().adam_step(dtype, step, 7000, p.g(), g.g(), m.g(), v.g());
        const std::string what = std::string("adam_step ") + dtype_name(dtype) + (decoupled ? " AdamW" : " Adam");
        expect_close(p, tol_for(dtype, 1e-6), what + " param");
        expect_close(m, tol_for(dtype, 1e-6), what + " exp_avg");
        expect_close(v, tol_for(dtype, 1e-6), what + " exp_avg_sq");
      }
}

}  // namespace
}  // namespace idml
