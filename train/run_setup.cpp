// Device, optimiser and step-seed set-up shared by the training tasks.
#include "train/run_setup.h"

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
  return Device::cuda(gpu_id);
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
