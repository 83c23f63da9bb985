// Ops on the GPU beyond the op table (test_cuda_op_table.cpp runs every op
// forward and backward against the CPU): batch norm's running statistics,
// integer tensors on the device, and bad indices.
#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

class CudaOps : public CudaTest {};

TEST_F(CudaOps, BatchNormUpdatesRunningStatisticsAndEvaluatesWithThemAsOnCpu) {
  Generator gen(31);
  const Tensor x = randn({6, 4, 3, 3}, gen, 1.0, 2.0);
  const Tensor weight = randn({4}, gen), bias = randn({4}, gen);
  const Tensor mean_cpu = zeros({4}), var_cpu = ones({4});
  const Tensor mean_gpu = mean_cpu.to(Device::cuda()), var_gpu = var_cpu.to(Device::cuda());
  const auto to_gpu = [](const Tensor& t) { return t.to(Device::cuda()); };
  for (int step = 0; step < 3; ++step) {
    batch_norm(x, weight, bias, mean_cpu, var_cpu, BatchNormMode::training, 0.1, 1e-5);
    batch_norm(to_gpu(x), to_gpu(weight), to_gpu(bias), mean_gpu, var_gpu, BatchNormMode::training, 0.1, 1e-5);
  }
  expect_close(mean_gpu, mean_cpu, 1e-5, "running_mean");
  expect_close(var_gpu, var_cpu, 1e-5, "running_var");
  const Tensor y_cpu = batch_norm(x, weight, bias, mean_cpu, var_cpu, BatchNormMode::inference);
  const Tensor y_gpu = batch_norm(to_gpu(x), to_gpu(weight), to_gpu(bias), mean_gpu, var_gpu, BatchNormMode::inference);
  expect_close(y_gpu, y_cpu, 1e-5, "evaluation output");
}

TEST_F(CudaOps, OneHotAndIntegerTensorsLiveOnTheDevice) {
  const Tensor labels = from_vector<int64_t>({2, 0, 3, 3}, {4});
  const Tensor hot_cpu = one_hot(labels, 5);
  const Tensor hot_gpu = one_hot(labels.to(Device::cuda()), 5);
  EXPECT_TRUE(hot_gpu.device().is_cuda());
  expect_close(hot_gpu, hot_cpu, 0.0, "one_hot");
  EXPECT_EQ(arange(7, Device::cuda()).to_vector<int64_t>(), arange(7).to_vector<int64_t>());
}

TEST_F(CudaOps, BadIndexOnTheDeviceIsAnErrorNotAStrayWrite) {
  const Tensor x = ones({3, 2}, DType::Float32, Device::cuda());
  const Tensor bad = from_vector<int64_t>({0, 3}, {2}, Device::cuda());
  EXPECT_THROW(index_select(x, bad), Error);
}

}  // namespace
}  // namespace idml
