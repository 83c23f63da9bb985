// Device, optimiser and step-seed set-up shared by the training tasks.
#include "train/run_setup.h"

#include <cstdlib>

#include "engine/accelerator.h"
#include "engine/backend.h"
#include "engine/error.h"
#include "nn/adam.h"
#include "nn/rmsprop.h"
#include "nn/sgd.h"

namespace idml::train {

Device resolve_device(DeviceKind kind, int gpu_id) {
  if (kind == DeviceKind::CPU) return Device::cpu();
  IDML_CHECK(cuda_available(), "--device cuda: no CUDA device is available (", cuda_unavailable_reason(), ")");
  const int visible = cuda_device_count();
  IDML_CHECK(gpu_id >= 0 && gpu_id < visible, "--gpu-id ", gpu_id, ": this process sees ", visible,
             " CUDA device(s), cuda:0 .. cuda:", visible - 1, " (CUDA_VISIBLE_DEVICES=",
             std::getenv("CUDA_VISIBLE_DEVICES") ? std::getenv("CUDA_VISIBLE_DEVICES") : "unset", ")");
  return Device::cuda(gpu_id);
}

int gpu_for_local_rank(int local_rank, int visible_devices) {
  IDML_CHECK(local_rank >= 0, "local rank ", local_rank, " is negative");
  IDML_CHECK(visible_devices > 0, "local rank ", local_rank, " sees no CUDA device");
  return local_rank % visible_devices;
}

std::unique_ptr<nn::Optimizer> make_optimizer(Optimizer name, std::vector<nn::ParamGroup> groups) {
  if (name == Optimizer::AdamW) return std::make_unique<nn::AdamW>(std::move(groups));
  if (name == Optimizer::Adam) return std::make_unique<nn::Adam>(std::move(groups));
  if (name == Optimizer::Sgd) {
    nn::SGDOptions options;
    options.momentum = 0.9;
    options.nesterov = true;
    return std::make_unique<nn::SGD>(std::move(groups), options);
  }
  nn::RMSpropOptions options;
  options.alpha = 0.9;
  options.momentum = 0.9;
  return std::make_unique<nn::RMSprop>(std::move(groups), options);
}

Device resolve_device(const std::string& device, int gpu_id) {
  return resolve_device(parse_choice<DeviceKind>(device, "--device"), gpu_id);
}

std::unique_ptr<nn::Optimizer> make_optimizer(const std::string& name, std::vector<nn::ParamGroup> groups) {
  return make_optimizer(parse_choice<Optimizer>(name, "--optimizer"), std::move(groups));
}

uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  return seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch) * 0xD1B54A32D192ED03ULL + 0x5EED;
}

}  // namespace idml::train
