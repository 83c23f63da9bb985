// BatchNorm2d: buffers, the batch/running statistics switch, freezing.
#include "nn/batch_norm.h"

#include "engine/autograd.h"
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
  // Only counted (momentum is fixed), kept for torch-equal state dicts; on the host until the state is read.
  if (use_batch_statistics) ++pending_batches_;
  return y;
}

void BatchNorm2d::write_host_state() const {
  if (pending_batches_ == 0) return;
  // counter + pending by kernels on the buffer's device (exact below 2^53): no read of its value.
  NoGradGuard no_grad;
  num_batches_tracked.copy_(
      add_scalar(num_batches_tracked.to(DType::Float64), static_cast<double>(pending_batches_)).to(DType::Int64));
  pending_batches_ = 0;
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
