// ResNet-50 on the GPU, end to end (models/resnet.h):
//   bench_resnet50 --check   one training-mode forward + backward at batch 2,
//                            224x224, on the CPU and on the GPU from the same
//                            weights in full FP32: logits, every parameter
//                            gradient and every running statistic must agree
//                            within 2e-3 of the tensor's rms. Exit 1 if not.
//   bench_resnet50           rates at batch 120, 224x224: training step
//                            (zero_grad, forward, loss, backward, SGD with
//                            momentum) and inference (eval, no grad), images/s,
//                            with PyTorch's default math (TF32 convolutions)
//                            and in full FP32.
// Lines "RESULT <name> <value> <unit>" are read by run_gpu_checks.sh.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "engine/autograd.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/ops.h"
#include "models/resnet.h"
#include "nn/sgd.h"

namespace idml {
namespace {

// max |a - b| / rms(b), NaN-safe (a NaN anywhere gives infinity).
double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to(Device::cpu()).to(DType::Float64).to_vector<double>();
  const std::vector<double> y = b.to(Device::cpu()).to(DType::Float64).to_vector<double>();
  if (x.size() != y.size()) return INFINITY;
  double squares = 0, worst = 0;
  for (double v : y) squares += v * v;
  const double rms = std::sqrt(squares / std::max<size_t>(1, y.size())) + 1e-30;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = std::abs(x[i] - y[i]);
    worst = std::isnan(d) ? INFINITY : std::max(worst, d);
  }
  return worst / rms;
}

int check_parity() {
  cuda::set_math_options({false, false});  // full FP32: the CPU is the reference
  constexpr double kTolerance = 2e-3;
  Generator gen_cpu(7), gen_gpu(7), gen_data(8);
  auto cpu_net = models::make_resnet("resnet50", gen_cpu);
  auto gpu_net = models::make_resnet("resnet50", gen_gpu);
  gpu_net->to(Device::cuda());
  const Tensor x = randn({2, 3, 224, 224}, gen_data);
  const Tensor r = randn({2, 1000}, gen_data);
  const Tensor logits_cpu = cpu_net->forward(x);
  const Tensor logits_gpu = gpu_net->forward(x.to(Device::cuda()));
  sum(mul(logits_cpu, r)).backward();
  sum(mul(logits_gpu, r.to(Device::cuda()))).backward();

  double worst = relative_error(logits_gpu, logits_cpu);
  std::string worst_name = "logits";
  int checked = 1;
  const auto gpu_params = gpu_net->named_parameters();
  const auto cpu_params = cpu_net->named_parameters();
  for (size_t i = 0; i < cpu_params.size(); ++i) {
    ++checked;
    const Tensor g = gpu_params[i].second.grad(), c = cpu_params[i].second.grad();
    const double e = g.defined() && c.defined() ? relative_error(g, c) : INFINITY;
    if (!(e <= worst)) worst = e, worst_name = "grad " + cpu_params[i].first;
  }
  const auto gpu_buffers = gpu_net->named_buffers();
  const auto cpu_buffers = cpu_net->named_buffers();
  for (size_t i = 0; i < cpu_buffers.size(); ++i) {
    if (cpu_buffers[i].second.dtype() == DType::Int64) continue;  // batch counters
    ++checked;
    const double e = relative_error(gpu_buffers[i].second, cpu_buffers[i].second);
    if (!(e <= worst)) worst = e, worst_name = cpu_buffers[i].first;
  }
  const bool ok = worst <= kTolerance;
  std::printf("resnet50 CPU vs GPU (full FP32, batch 2): %d tensors, worst max|gpu-cpu|/rms = %.3g (%s): %s\n",
              checked, worst, worst_name.c_str(), ok ? "PASS" : "FAIL");
  std::printf("RESULT resnet50_gpu_vs_cpu_worst_error %.6g rel\n", worst);
  return ok ? 0 : 1;
}

double seconds_per_iteration(const std::function<void()>& step, int warmup, int iterations) {
  Backend& be = backend_for(Device::cuda());
  for (int i = 0; i < warmup; ++i) step();
  be.synchronize();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) step();
  be.synchronize();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / iterations;
}

void report(const std::string& name, double seconds, int64_t batch) {
  std::printf("%-44s %10.1f img/s  (%8.2f ms/step)\n", name.c_str(), batch / seconds, seconds * 1e3);
  std::printf("RESULT %s %.4f img/s\n", name.c_str(), batch / seconds);
  std::fflush(stdout);
}

int benchmark(bool quick) {
  const int64_t batch = 120;
  const int iterations = quick ? 3 : 10;
  Generator gen(1);
  auto net = models::make_resnet("resnet50", gen);
  net->to(Device::cuda());
  nn::SGD sgd({nn::ParamGroup{"all", net->parameters(), 0.01, 1e-4}}, nn::SGDOptions{0.9});
  const Tensor x = randn({batch, 3, 224, 224}, gen).to(Device::cuda());
  const Tensor r = randn({batch, 1000}, gen).to(Device::cuda());
  auto train_step = [&] {
    sgd.zero_grad();
    div_scalar(sum(mul(net->forward(x), r)), static_cast<double>(batch)).backward();
    sgd.step();
  };
  auto inference = [&] {
    NoGradGuard no_grad;
    net->forward(x);
  };
  for (const auto& [label, tf32_conv] : {std::pair<const char*, bool>{"default math (TF32 conv)", true},
                                         {"full FP32", false}}) {
    cuda::set_math_options({tf32_conv, false});
    const std::string suffix = tf32_conv ? "" : "_fp32";
    net->train();
    report("resnet50_train_step_b120" + suffix, seconds_per_iteration(train_step, 2, iterations), batch);
    net->eval();
    report("resnet50_inference_b120" + suffix, seconds_per_iteration(inference, 2, iterations), batch);
    std::printf("  (%s)\n", label);
  }
  const cuda::MemoryStats m = cuda::memory_stats(0);
  std::printf("memory: %.2f GB in tensors, %.2f GB cached, %zu cudaMalloc calls\n", m.allocated_bytes / 1e9,
              m.cached_bytes / 1e9, m.device_mallocs);
  return 0;
}

}  // namespace
}  // namespace idml

int main(int argc, char** argv) {
  using namespace idml;
  const bool check = argc > 1 && std::strcmp(argv[1], "--check") == 0;
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  if (cuda::device_count() == 0) {
    std::printf("bench_resnet50: no CUDA device: %s\n", cuda::unavailable_reason().c_str());
    return 2;
  }
  try {
    return check ? check_parity() : benchmark(quick);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_resnet50: %s\n", e.what());
    return 1;
  }
}
