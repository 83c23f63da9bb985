// What every training task (retrieval now, classification later) sets up the
// same way from its flags: the device, the optimiser of --optimizer, and the
// per-epoch step seed that makes a resumed run exact.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "nn/optimizer.h"
#include "train/config_enums.h"

namespace idml::train {

// The CPU, or CUDA device gpu_id; a clear error (with the runtime's reason) when
// CUDA is asked for and absent, or gpu_id is not a visible device.
Device resolve_device(DeviceKind kind, int gpu_id);
Device resolve_device(const std::string& device, int gpu_id);  // "cpu" | "cuda" (--device)

// The GPU index of a rank on its machine: local_rank % visible_devices. When
// every GPU of the machine is visible to each rank (mpirun), local rank k takes
// cuda:k; when the launcher gives each rank its own GPU (srun
// --gpus-per-task=1, CUDA_VISIBLE_DEVICES per rank), each sees one device and
// takes cuda:0. An error naming the rank when no device is visible.
int gpu_for_local_rank(int local_rank, int visible_devices);

// adamw | adam | sgd (momentum 0.9, Nesterov) | rmsprop (alpha 0.9, momentum 0.9), as the reference builds them.
std::unique_ptr<nn::Optimizer> make_optimizer(Optimizer name, std::vector<nn::ParamGroup> groups);
std::unique_ptr<nn::Optimizer> make_optimizer(const std::string& name, std::vector<nn::ParamGroup> groups);

// The step generator's seed of an epoch: a function of (seed, epoch) only.
uint64_t epoch_seed(uint64_t seed, int64_t epoch);

}  // namespace idml::train
