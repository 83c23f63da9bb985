// ResNet-50 on CUDA equals ResNet-50 on the CPU: the same weights (same seed),
// the same input, train mode (batch statistics), forward and backward, FP32
// convolutions (TF32 off). Skips with a message when no GPU is present.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/backend.h"
#include "engine/ops.h"
#include "models/resnet.h"
#ifdef IDML_WITH_CUDA
#include "engine/cuda/cuda_backend.h"
#endif

namespace idml::models {
namespace {

double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = a.to(Device::cpu()).to_vector<float>(), y = b.to(Device::cpu()).to_vector<float>();
  double diff = 0, norm = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    diff += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
    norm += double(y[i]) * y[i];
  }
  return std::sqrt(diff / std::max(norm, 1e-30));
}

TEST(ResNetCuda, ResNet50ForwardAndBackwardMatchCpu) {
  if (!cuda_available()) GTEST_SKIP() << "no CUDA device: the CUDA-vs-CPU ResNet-50 check needs a GPU";
#ifdef IDML_WITH_CUDA
  cuda::set_math_options({/*tf32_conv=*/false, /*tf32_gemm=*/false});
  Generator gen_cpu(5), gen_gpu(5), gen_input(6);
  auto cpu_net = make_resnet("resnet50", gen_cpu);
  auto gpu_net = make_resnet("resnet50", gen_gpu);
  gpu_net->to(Device::cuda(0));
  cpu_net->train();
  gpu_net->train();
  const Tensor x = randn({4, 3, 64, 64}, gen_input);
  const Tensor y_cpu = cpu_net->forward(x);
  const Tensor y_gpu = gpu_net->forward(x.to(Device::cuda(0)));
  EXPECT_LT(relative_error(y_gpu, y_cpu), 1e-4) << "logits";
  sum(mul(y_cpu, y_cpu)).backward();
  sum(mul(y_gpu, y_gpu)).backward();
  const auto cpu_params = cpu_net->named_parameters(), gpu_params = gpu_net->named_parameters();
  ASSERT_EQ(cpu_params.size(), gpu_params.size());
  for (size_t i = 0; i < cpu_params.size(); ++i) {
    const auto& [name, p] = cpu_params[i];
    if (!p.grad().defined()) continue;
    EXPECT_LT(relative_error(gpu_params[i].second.grad(), p.grad()), 2e-3) << name;
  }
  const auto cpu_buffers = cpu_net->named_buffers(), gpu_buffers = gpu_net->named_buffers();
  for (size_t i = 0; i < cpu_buffers.size(); ++i) {
    if (cpu_buffers[i].second.dtype() != DType::Float32) continue;
    EXPECT_LT(relative_error(gpu_buffers[i].second, cpu_buffers[i].second), 1e-4) << cpu_buffers[i].first;
  }
#endif
}

}  // namespace
}  // namespace idml::models
