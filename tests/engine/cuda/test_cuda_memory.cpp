// Device memory: the caching allocator reuses blocks (no cudaMalloc in a
// steady-state loop), and asking for a
// CUDA tensor without a GPU is a clear error (that test runs everywhere).
#include <cstring>

#include "engine/cuda/caching_allocator.h"
#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

TEST(CudaDevice, CudaTensorWithoutGpuIsAClearErrorAndWithGpuABadIndexIs) {
  if (cuda::device_count() == 0) {
    EXPECT_FALSE(cuda_available());
    try {
      empty({2}, DType::Float32, Device::cuda());
      FAIL() << "a CUDA tensor was created without a GPU";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no CUDA device is available"), std::string::npos) << e.what();
    }
    return;
  }
  EXPECT_TRUE(cuda_available());
  EXPECT_THROW(empty({2}, DType::Float32, Device::cuda(cuda::device_count())), Error);
}

TEST(CudaAllocatorSizeClasses, RoundUpWithBoundedSlack) {
  EXPECT_EQ(cuda::CachingAllocator::size_class(1), 512u);
  EXPECT_EQ(cuda::CachingAllocator::size_class(512), 512u);
  EXPECT_EQ(cuda::CachingAllocator::size_class(513), 1024u);
  EXPECT_EQ(cuda::CachingAllocator::size_class(1 << 20), size_t(1) << 20);
  for (size_t n : {size_t(1 << 20) + 1, size_t(3) << 20, size_t(72253440), size_t(1) << 33}) {
    const size_t c = cuda::CachingAllocator::size_class(n);
    EXPECT_GE(c, n);
    EXPECT_LE(c, n + n / 8) << n;
  }
}

class CudaMemory : public CudaTest {};

TEST_F(CudaMemory, SteadyStateLoopCallsCudaMallocNoMore) {
  Generator gen(50);
  const Tensor w = randn({64, 64}, gen).to(Device::cuda()).set_requires_grad(true);
  const Tensor x = randn({32, 64}, gen).to(Device::cuda());
  auto step = [&] {
    w.zero_grad();
    sum(relu(matmul(x, w))).backward();
  };
  step();
  step();
  const size_t mallocs = cuda::memory_stats(0).device_mallocs;
  for (int i = 0; i < 10; ++i) step();
  EXPECT_EQ(cuda::memory_stats(0).device_mallocs, mallocs);
  EXPECT_GT(cuda::memory_stats(0).allocated_bytes, 0u);
}

TEST_F(CudaMemory, EmptyCacheReturnsCachedBlocksAndAllocationStillWorks) {
  { const Tensor t = zeros({1 << 20}, DType::Float32, Device::cuda()); }
  EXPECT_GT(cuda::memory_stats(0).cached_bytes, 0u);
  cuda::empty_cache(0);
  EXPECT_EQ(cuda::memory_stats(0).cached_bytes, 0u);
  EXPECT_EQ(full({5}, 2.0, DType::Float32, Device::cuda()).to_vector<float>(), std::vector<float>(5, 2.0f));
}

}  // namespace
}  // namespace idml
