// BatchNorm2d: buffers, the batch/running statistics switch, freezing.
#include "nn/batch_norm.h"

#include "engine/ops.h"

namespace idml::nn {

BatchNorm2d::BatchNorm2d(int64_t num_features, double eps, double momentum) : eps_(eps), momentum_(momentum) {
  IDML_CHECK(num_features > 0, "BatchNorm2d: num_features must be positive, got ", num_features);
  weight = register_parameter("weight", ones({num_features}));
  bias = register_parameter("bias", zeros({num_features}));
  running_mean = register_buffer("running_mean", zeros({num_features}));
  running_var = register_buffer("running_var", ones({num_features}));
  num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::Int64));
}

Tensor BatchNorm2d::forward(const Tensor& x) {
  const bool use_batch_statistics = uses_batch_statistics();
  Tensor y = batch_norm(x, weight, bias, running_mean, running_var,
                        use_batch_statistics ? BatchNormMode::training : BatchNormMode::inference, momentum_, eps_);
  if (use_batch_statistics) {
    // Only counted (momentum is fixed), kept for torch-equal state dicts.
    if (num_batches_tracked.device().is_cpu()) {
      num_batches_tracked.data<int64_t>()[0] += 1;
    } else {
      const auto count = static_cast<double>(num_batches_tracked.item());
      num_batches_tracked.copy_(scalar_tensor(count + 1, DType::Int64, num_batches_tracked.device()));
    }
  }
  return y;
}

void BatchNorm2d::freeze() {
  frozen_ = true;
  weight.set_requires_grad(false);
  bias.set_requires_grad(false);
}

int freeze_batch_norm(Module& module) {
  int count = 0;
  for (auto& [name, m] : module.named_modules())
    if (auto* bn = dynamic_cast<BatchNorm2d*>(m)) {
      bn->freeze();
      ++count;
    }
  return count;
}

}  // namespace idml::nn
