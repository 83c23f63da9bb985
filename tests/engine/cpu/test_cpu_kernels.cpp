// CPU kernels at realistic sizes: the fast conv and GEMM paths (per-sample
// threads, threaded GEMM, pointwise) against the naive references, and
// results that do not depend on the number of threads.
#include <gtest/gtest.h>
#include <omp.h>

#include "engine/cpu/host_allocator.h"
#include "engine/cpu/onednn_conv.h"
#include "engine/cpu/reference.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;
using testing::ThreadCount;

// Every lowering strategy, forward and both backward kernels, each against the
// direct convolution or the float64 path: for large maps (34x34) one sample
// per thread (batch >= threads) or a threaded GEMM per sample (batch <
// threads); for small maps (14x14, 31x31) samples grouped into one GEMM (at
// 31x31 a group holds 3 samples, so batch 4 and 5 leave a partial last group).
// The oneDNN path has its own test (test_onednn_conv.cpp).
TEST(CpuKernels, ConvMatchesReferenceOnEveryLoweringPath) {
  Generator gen(80);
  cpu::ScopedConvImplementation lowering(cpu::ConvImplementation::Im2col);
  for (int threads : {2, 8}) {
    ThreadCount thread_count(threads);
    for (int64_t size : {14, 31, 34}) {
      for (int64_t batch : {1, 4, 5}) {
        for (const auto& [c, oc, k, s] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>>{
                 {16, 24, 3, 1}, {32, 16, 1, 1}, {16, 32, 3, 2}, {8, 16, 1, 2}}) {
          SCOPED_TRACE("threads " + std::to_string(threads) + " size " + std::to_string(size) + " batch " +
                       std::to_string(batch) + " c " + std::to_string(c) + " k " + std::to_string(k) + " s " +
                       std::to_string(s));
          const Tensor x = randn({batch, c, size, size}, gen).set_requires_grad(true);
          const Tensor w = randn({oc, c, k, k}, gen, 0, 0.1).set_requires_grad(true);
          const Conv2dOptions o{s, k / 2, 1};
          const Tensor y = conv2d(x, w, Tensor(), o);
          Conv2dGeometry g{batch, c, size, size, oc, k, k, s, k / 2, 1, y.size(2), y.size(3)};
          std::vector<double> expected(y.numel());
          cpu::reference::conv2d(g, host(x).data(), host(w).data(), nullptr, expected.data());
          testing::expect_near_all(host(y), expected, 1e-5, "conv2d");

          const Tensor seed = randn(y.shape(), gen);
          y.backward(seed);
          const Tensor x64 = x.detach().to(DType::Float64).set_requires_grad(true);
          const Tensor w64 = w.detach().to(DType::Float64).set_requires_grad(true);
          conv2d(x64, w64, Tensor(), o).backward(seed.to(DType::Float64));
          testing::expect_near_all(host(x.grad()), host(x64.grad()), 1e-4, "dx");
          testing::expect_near_all(host(w.grad()), host(w64.grad()), 1e-4, "dw");
        }
      }
    }
  }
}

TEST(CpuKernels, ConvGradientsAreIdenticalWithOneOrTwoThreadsForOneSample) {
  Generator gen(81);
  const Tensor x = randn({1, 8, 9, 9}, gen).set_requires_grad(true);
  const Tensor w = randn({6, 8, 3, 3}, gen).set_requires_grad(true);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2}) {
    ThreadCount tc(threads);
    x.zero_grad();
    w.zero_grad();
    sum(conv2d(x, w, Tensor(), {1, 1, 1})).backward();
    results.push_back(x.grad().to_vector<float>());
    results.push_back(w.grad().to_vector<float>());
  }
  testing::expect_near_all(std::vector<double>(results[0].begin(), results[0].end()),
                           std::vector<double>(results[2].begin(), results[2].end()), 1e-5, "dx");
  testing::expect_near_all(std::vector<double>(results[1].begin(), results[1].end()),
                           std::vector<double>(results[3].begin(), results[3].end()), 1e-5, "dw");
}

TEST(CpuKernels, LargeGemmMatchesReference) {
  Generator gen(82);
  const Tensor a = randn({70, 130}, gen), b = randn({130, 90}, gen);
  std::vector<double> expected(70 * 90);
  cpu::reference::matmul(Transpose::none, 70, 90, 130, host(a).data(), host(b).data(), expected.data());
  testing::expect_near_all(host(matmul(a, b)), expected, 1e-5, "gemm");
}

TEST(CpuKernels, SumsAreBitIdenticalForAnyThreadCount) {
  Generator gen(83);
  const Tensor x = randn({1 << 18}, gen);
  const Tensor y = randn({5, 300, 70}, gen);
  std::vector<float> totals, columns;
  for (int threads : {1, 2, 3}) {
    ThreadCount tc(threads);
    totals.push_back(sum(x).to_vector<float>()[0]);
    const std::vector<float> c = sum(y, {1}).to_vector<float>();
    columns.insert(columns.end(), c.begin(), c.end());
  }
  EXPECT_EQ(totals[0], totals[1]);
  EXPECT_EQ(totals[0], totals[2]);
  const size_t n = columns.size() / 3;
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(columns[i], columns[n + i]);
    ASSERT_EQ(columns[i], columns[2 * n + i]);
  }
}

TEST(CpuKernels, BatchNormAtLargeSizeMatchesTheDoubleComputation) {
  Generator gen(84);
  const Tensor x = randn({8, 16, 28, 28}, gen, 3.0, 2.0);
  const Tensor y = batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), BatchNormMode::training);
  const Tensor y64 = batch_norm(x.to(DType::Float64), Tensor(), Tensor(), Tensor(), Tensor(), BatchNormMode::training);
  testing::expect_near_all(host(y), host(y64), 1e-5, "batch_norm");
}

}  // namespace
}  // namespace idml

namespace idml {
namespace {

TEST(HostAllocator, ReusesLargeBlocksAndPassesSmallOnesThrough) {
  cpu::HostAllocator allocator;
  void* big = allocator.allocate(1 << 20);
  allocator.deallocate(big, 1 << 20);
  EXPECT_EQ(allocator.cached_bytes(), size_t(1) << 20);
  EXPECT_EQ(allocator.allocate((1 << 20) - 100), big);  // same 64 KiB granule
  EXPECT_EQ(allocator.cached_bytes(), 0u);
  void* small = allocator.allocate(100);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small) % 64, 0u);
  allocator.deallocate(small, 100);
  EXPECT_EQ(allocator.cached_bytes(), 0u);
  allocator.deallocate(big, (1 << 20) - 100);
  allocator.empty_cache();
  EXPECT_EQ(allocator.cached_bytes(), 0u);
}

}  // namespace
}  // namespace idml
