// ResNet-50 on the GPU, end to end (models/resnet.h):
//   bench_resnet50 --check   GPU against CPU from the same weights in full FP32:
//                            (1) one training-mode forward + backward of
//                            ResNet-50 at batch 2, 224x224: logits, every
//                            parameter gradient and every running statistic
//                            within 2e-3 of the tensor's rms; (2) one IDML
//                            step (the IDML net on ResNet-50, BN frozen, batch
//                            4): every gradient (model and proxies) within 2e-3
//                            of its rms, and the cosine of all gradients
//                            together at least 0.99999. Exit 1 if not.
//   bench_resnet50           rates at batch 120, 224x224: training step
//                            (zero_grad, forward, loss, backward, SGD with
//                            momentum) and inference (eval, no grad), images/s,
//                            with PyTorch's default math (TF32 convolutions)
//                            and in full FP32.
// Lines "RESULT <name> <value> <unit>" are read by check_gpu.sh.
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
#include "models/idml_net.h"
#include "models/resnet.h"
#include "nn/adam.h"
#include "nn/sgd.h"
#include "train/losses/proxy_anchor.h"
#include "train/mixup_step.h"
#include "train/parameter_groups.h"

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

constexpr double kTolerance = 2e-3;

// One IDML step on the CPU and on the GPU from the same weights, the same
// batch and the same draws (lam, perm): the gradients must agree.
bool check_idml_step() {
  const auto make = [](Device device, std::unique_ptr<models::IDMLNet>& net, std::unique_ptr<train::ProxyAnchor>& loss) {
    Generator gen(11);
    net = std::make_unique<models::IDMLNet>(models::IDMLNetConfig{"resnet50", 512, true, true}, gen);
    loss = std::make_unique<train::ProxyAnchor>(4, 512, train::ProxyAnchorOptions{}, gen);
    net->to(device);
    loss->to(device);
    net->train();
  };
  std::unique_ptr<models::IDMLNet> cpu_net, gpu_net;
  std::unique_ptr<train::ProxyAnchor> cpu_loss, gpu_loss;
  make(Device::cpu(), cpu_net, cpu_loss);
  make(Device::cuda(), gpu_net, gpu_loss);
  nn::AdamW cpu_opt(train::idml_parameter_groups(*cpu_net, *cpu_loss, 1e-4, 1e-4));
  nn::AdamW gpu_opt(train::idml_parameter_groups(*gpu_net, *gpu_loss, 1e-4, 1e-4));
  Generator data(12), draws_cpu(13), draws_gpu(13);
  const Tensor x = randn({4, 3, 224, 224}, data);
  const Tensor y = from_vector<int64_t>({0, 1, 2, 1}, {4});
  const train::StepResult cpu = train::mixup_train_step(*cpu_net, *cpu_loss, cpu_opt, x, y, draws_cpu, {});
  const train::StepResult gpu = train::mixup_train_step(*gpu_net, *gpu_loss, gpu_opt, x.to(Device::cuda()),
                                                        y.to(Device::cuda()), draws_gpu, {});
  std::vector<std::pair<std::string, Tensor>> cpu_params = cpu_net->named_parameters(), gpu_params = gpu_net->named_parameters();
  cpu_params.emplace_back("proxies", cpu_loss->proxies);
  gpu_params.emplace_back("proxies", gpu_loss->proxies);
  double worst = 0, dot = 0, cpu_squares = 0, gpu_squares = 0;
  std::string worst_name = "-";
  int compared = 0;
  for (size_t i = 0; i < cpu_params.size(); ++i) {
    const Tensor c = cpu_params[i].second.grad(), g = gpu_params[i].second.grad();
    if (!c.defined() && !g.defined()) continue;  // frozen (BN affine)
    ++compared;
    const double e = c.defined() && g.defined() ? relative_error(g, c) : INFINITY;
    if (!(e <= worst)) worst = e, worst_name = cpu_params[i].first;
    if (!c.defined() || !g.defined()) continue;
    const std::vector<double> a = c.to(DType::Float64).to_vector<double>();
    const std::vector<double> b = g.to(Device::cpu()).to(DType::Float64).to_vector<double>();
    for (size_t k = 0; k < a.size(); ++k) dot += a[k] * b[k], cpu_squares += a[k] * a[k], gpu_squares += b[k] * b[k];
  }
  const double cosine = dot / (std::sqrt(cpu_squares * gpu_squares) + 1e-300);
  const double loss_error = std::abs(gpu.loss - cpu.loss) / std::max(1e-30, std::abs(cpu.loss));
  const bool ok = worst <= kTolerance && cosine >= 0.99999 && loss_error <= kTolerance;
  std::printf("IDML step CPU vs GPU (resnet50, BN frozen, batch 4, full FP32): loss %.6g vs %.6g, %d gradients, "
              "cosine %.8f, worst max|gpu-cpu|/rms = %.3g (%s): %s\n",
              cpu.loss, gpu.loss, compared, cosine, worst, worst_name.c_str(), ok ? "PASS" : "FAIL");
  std::printf("RESULT idml_step_grad_cosine %.8f cos\n", cosine);
  std::printf("RESULT idml_step_grad_worst_error %.6g rel\n", worst);
  return ok;
}

int check_parity() {
  cuda::set_math_options({false, false});  // full FP32: the CPU is the reference
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
  std::printf("resnet50 forward + backward CPU vs GPU (training mode, full FP32, batch 2): %d tensors, worst "
              "max|gpu-cpu|/rms = %.3g (%s): %s\n",
              checked, worst, worst_name.c_str(), ok ? "PASS" : "FAIL");
  std::printf("RESULT resnet50_gpu_vs_cpu_worst_error %.6g rel\n", worst);
  std::fflush(stdout);
  const bool step_ok = check_idml_step();
  return ok && step_ok ? 0 : 1;
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
