// Device memory: the caching allocator reuses blocks (no cudaMalloc in a
// steady-state loop), pinned buffers copy asynchronously, and asking for a
// CUDA tensor without a GPU is a clear error (that test runs everywhere).
#include <cstring>

#include "engine/cuda/caching_allocator.h"
#include "engine/cuda/pinned_memory.h"
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

TEST_F(CudaMemory, PinnedBufferCopiesAsynchronouslyAndWaitsBeforeReuse) {
  const size_t n = 1 << 20;
  cuda::PinnedHostBuffer buffer(n * sizeof(float));
  const Tensor t = empty({static_cast<int64_t>(n)}, DType::Float32, Device::cuda());
  for (float value : {1.5f, -3.0f}) {
    float* p = static_cast<float*>(buffer.data());  // waits for the previous copy
    for (size_t i = 0; i < n; ++i) p[i] = value + static_cast<float>(i % 7);
    cuda::copy_to_device_async(0, t.raw_data(), buffer, n * sizeof(float));
    const std::vector<float> back = t.to_vector<float>();
    for (size_t i = 0; i < n; i += 4099) ASSERT_EQ(back[i], value + static_cast<float>(i % 7)) << i;
  }
}

}  // namespace
}  // namespace idml
