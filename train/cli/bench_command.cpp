// `idml bench`: images/s of a full IDML training step (two forward passes for
// mixup, backward, AdamW, every parameter trainable, BN frozen as in the
// paper's recipe) and of inference, on synthetic input. The device work is
// synchronised before each clock reading.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/backend.h"
#include "engine/cuda/cuda_backend.h"
#include "engine/ops.h"
#include "nn/adam.h"
#include "train/cli/commands.h"
#include "train/cli/options.h"
#include "train/freezing.h"
#include "train/losses/proxy_anchor.h"
#include "train/mixup_step.h"
#include "train/parameter_groups.h"

namespace idml::cli {

namespace {
struct BenchArguments {
  std::string model = "resnet50";
  DeviceChoice device;
  InferencePrecision precision = InferencePrecision::Float32;  // of the inference part; training is float32
  int64_t batch_size = 8, image_size = 224, steps = 3, classes = 100;
  bool json = false;
};

template <typename F>
double images_per_second(int64_t images_per_call, int64_t calls, Device device, F&& f) {
  f();  // warm-up: allocations, algorithm choice
  backend_for(device).synchronize();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < calls; ++i) f();
  backend_for(device).synchronize();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return images_per_call * calls / seconds;
}
}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("bench", "Training-step and inference images/s on synthetic input");
  auto a = std::make_shared<BenchArguments>();
  cmd->add_option("--model", a->model, "resnet18 | resnet34 | resnet50 | resnet101")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "images per step")->capture_default_str()->check(CLI::Range(2, 4096));
  cmd->add_option("--image-size", a->image_size, "input side")->capture_default_str()->check(CLI::Range(32, 1024));
  cmd->add_option("--steps", a->steps, "timed steps (after one warm-up step)")->capture_default_str()->check(CLI::Range(1, 1000));
  a->device.add_to(*cmd);
  add_choice_option(*cmd, "--precision", a->precision, "inference convolutions: fp32 or bf16 (training is fp32)");
  cmd->add_flag("--json", a->json, "print one JSON object");
  cmd->callback([a, &exit_code] {
    const Device device = a->device.resolve();
    { const ReducedPrecisionInference check(a->precision, device); }  // fails before the training part, not after
    Generator gen(0);
    models::IDMLNetConfig config;
    config.backbone = a->model;
    models::IDMLNet net(config, gen);
    net.to(device);
    train::ProxyAnchor loss(a->classes, config.embedding_size, {}, gen);
    loss.to(device);
    train::apply_trainable_state(net, loss, /*epoch=*/1, /*warm=*/1);  // after warm-up: everything trains
    nn::AdamW optimizer(train::idml_parameter_groups(net, loss, 1e-4, 1e-4));
    const Tensor images = randn({a->batch_size, 3, a->image_size, a->image_size}, gen).to(device);
    std::vector<int64_t> label_values(a->batch_size);
    for (auto& y : label_values) y = static_cast<int64_t>(gen.below(a->classes));
    const Tensor labels = from_vector(label_values, {a->batch_size}, device);

    net.train();
    const double train_rate = images_per_second(a->batch_size, a->steps, device, [&] {
      train::mixup_train_step(net, loss, optimizer, images, labels, gen, {});
    });
    net.eval();
    const ReducedPrecisionInference precision(a->precision, device);
    const ConstantParameters constants;  // as eval and embed: each BN folded once (in the warm-up call)
    const double inference_rate = images_per_second(a->batch_size, a->steps, device, [&] {
      NoGradGuard no_grad;
      net.forward(images);
    });
    // GPU memory: the most held by tensors at once (training and inference), as PyTorch's max_memory_allocated.
    const double peak_gib = device.is_cuda() ? static_cast<double>(cuda::memory_stats(device.index).peak_allocated_bytes) /
                                                   (1 << 30)
                                             : 0.0;
    if (a->json) {
      nlohmann::json out{{"model", a->model},
                         {"batch_size", a->batch_size},
                         {"image_size", a->image_size},
                         {"device", device.str()},
                         {"precision", train::choice_name(a->precision)},
                         {"train_images_per_second", train_rate},
                         {"inference_images_per_second", inference_rate}};
      if (device.is_cuda()) out["gpu_peak_allocated_gib"] = peak_gib;
      std::cout << out.dump() << "\n";
    } else {
      std::printf("%s, batch %lld, %lldx%lld, %s: training step %.2f img/s, inference (%s) %.2f img/s",
                  a->model.c_str(), static_cast<long long>(a->batch_size), static_cast<long long>(a->image_size),
                  static_cast<long long>(a->image_size), device.str().c_str(), train_rate,
                  train::choice_name(a->precision).c_str(), inference_rate);
      if (device.is_cuda()) std::printf(", GPU memory %.2f GiB at most", peak_gib);
      std::printf("\n");
    }
    exit_code = 0;
  });
}

}  // namespace idml::cli
