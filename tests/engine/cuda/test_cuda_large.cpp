// Sizes the other CUDA tests never reach: grid-stride loops past the
// 134M threads of a launch (65535 * 8 blocks of 256), element counts past
// 2^31 (the kernels' 64-bit index paths: fits_32bit false), and a transpose of
// more rows than 65535 tiles of 32. About 35 GB of device memory at most;
// skipped on smaller GPUs and without one. Values are checked by sums that are
// exact in float32 and by elements read back at the ends.
#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

constexpr int64_t kPast32Bit = (int64_t(1) << 31) + 37;

class CudaLarge : public CudaTest {
 protected:
  void SetUp() override {
    CudaTest::SetUp();
    if (IsSkipped()) return;
    const cuda::RuntimeReport report = cuda::runtime_report();
    if (report.gpus.empty() || report.gpus[0].free_bytes < (size_t(40) << 30))
      GTEST_SKIP() << "needs 40 GiB of free device memory";
  }
  static Device gpu_device() { return Device::cuda(); }
  // The element at `index` of a 1-D tensor, read alone.
  static double at(const Tensor& t, int64_t index) { return narrow(t.flatten(), 0, index, 1).to(Device::cpu()).item(); }
};

TEST_F(CudaLarge, GridStrideLoopsPastOneLaunchOfThreads) {
  const int64_t n = 200'000'000;  // > 65535 * 8 * 256 = 134,215,680: each thread takes two elements
  const Tensor x = full({n}, 1.5, DType::Float32, gpu_device());
  const Tensor y = add_scalar(mul_scalar(x, 2.0), 1.0);  // 4 everywhere
  EXPECT_EQ(at(y, 0), 4.0);
  EXPECT_EQ(at(y, n - 1), 4.0);
  EXPECT_EQ(sum(y).to(Device::cpu()).item(), 4.0 * n);  // 8e8: exact in float32 (a multiple of 2^8 below 2^30)
}

TEST_F(CudaLarge, ElementwiseAndSumPast2To31Elements) {
  const Tensor x = full({kPast32Bit}, 1.0, DType::Float32, gpu_device());
  const Tensor y = add(x, full({1}, 2.0, DType::Float32, gpu_device()));  // broadcast: the 64-bit offset path
  EXPECT_EQ(at(y, kPast32Bit - 1), 3.0);
  const double total = sum(y).to(Device::cpu()).item();
  EXPECT_EQ(total, static_cast<double>(static_cast<float>(3.0 * kPast32Bit)));
}

TEST_F(CudaLarge, BatchNormPast2To31Elements) {
  // (1, 2, 32768, 32769): 2,147,549,184 elements; channel c holds 1 + 2c.
  const Shape shape{1, 2, 32768, 32769};
  const Tensor channel = from_vector<float>({1, 3}, {1, 2, 1, 1}).to(gpu_device());
  const Tensor x = add(zeros(shape, DType::Float32, gpu_device()), channel);
  const Tensor weight = ones({2}, DType::Float32, gpu_device()), bias = zeros({2}, DType::Float32, gpu_device());
  const Tensor mean = zeros({2}, DType::Float32, gpu_device()), var = ones({2}, DType::Float32, gpu_device());
  const Tensor y = batch_norm(x, weight, bias, mean, var, BatchNormMode::training, 0.1, 1e-5);
  // Constant channels: the batch statistics are (1, 0) and (3, 0), the output 0, the running mean 0.1 (1, 3).
  EXPECT_EQ(sum(mul(y, y)).to(Device::cpu()).item(), 0.0);
  const std::vector<float> running = mean.to(Device::cpu()).to_vector<float>();
  EXPECT_NEAR(running[0], 0.1, 1e-7);
  EXPECT_NEAR(running[1], 0.3, 1e-7);
  const Tensor inference = batch_norm(x, weight, bias, from_vector<float>({1, 3}, {2}).to(gpu_device()),
                                      from_vector<float>({4, 4}, {2}).to(gpu_device()), BatchNormMode::inference);
  EXPECT_EQ(sum(mul(inference, inference)).to(Device::cpu()).item(), 0.0);
}

TEST_F(CudaLarge, MaxPoolBackwardPast2To31Elements) {
  // (1, 1, 46341, 46341): 2,147,488,281 inputs; 2 x 2 pooling of ones (ties: the first element of each
  // window takes the gradient), so the gradient holds one 1 per output and sums to their count.
  const int64_t side = 46341, out = side / 2;
  const Tensor x = full({1, 1, side, side}, 1.0, DType::Float32, gpu_device()).set_requires_grad(true);
  const Tensor y = max_pool2d(x, {2, 2, 0});
  sum(y).backward();
  const double expected = static_cast<double>(static_cast<float>(out * out));
  EXPECT_EQ(sum(y).to(Device::cpu()).item(), expected);
  EXPECT_EQ(sum(x.grad()).to(Device::cpu()).item(), expected);
  EXPECT_EQ(at(x.grad(), 0), 1.0);
  EXPECT_EQ(at(x.grad(), side * side - 1), 0.0);  // the odd last row and column are outside every window
}

TEST_F(CudaLarge, TransposeOfMoreRowsThanGridYTiles) {
  // 3,000,000 rows: more than 65535 tiles of 32 (rows on grid.y stopped at 2,097,120).
  Generator gen(5);
  const Tensor x = randn({3'000'000, 3}, gen);
  const Tensor on_gpu = transpose(x.to(gpu_device())).to(Device::cpu());
  EXPECT_EQ(on_gpu.to_vector<float>(), transpose(x).to_vector<float>());
  const Tensor wide = randn({3, 3'000'000}, gen);
  EXPECT_EQ(transpose(wide.to(gpu_device())).to(Device::cpu()).to_vector<float>(), transpose(wide).to_vector<float>());
}

}  // namespace
}  // namespace idml
