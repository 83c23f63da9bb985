// BatchNorm2d, as torch.nn.BatchNorm2d (eps 1e-5, momentum 0.1, affine,
// running statistics tracked): parameters `weight` (1s) and `bias` (0s),
// buffers `running_mean` (0s), `running_var` (1s) and `num_batches_tracked`
// (int64 scalar). In training mode it normalises by the batch statistics and
// updates the running ones (unbiased variance); in eval mode it uses the
// running ones.
//
// The batch counter is kept on the host: a training forward adds 1 to a host
// integer, and the buffer (on the module's device) receives the pending count
// only when the state is handed out (state_dict, named_buffers, ...: save, load,
// device moves), by device kernels. A forward thus never reads device memory
// (on a GPU that read waited for the whole queue, 53 times per ResNet-50
// forward). Read the counter through state_dict(), not the member directly.
//
// Freezing (docs/METHOD.md#2-model, --bn-freeze): the layer stays in inference mode whatever
// train() says, and its affine parameters stop requiring grad (they may be
// re-enabled later, e.g. after warm-up; the layer stays in inference mode).
#pragma once

#include "nn/layer.h"

namespace idml::nn {

class BatchNorm2d : public Layer {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1);
  // x (N, C, H, W) or (N, C) -> same shape
  Tensor forward(const Tensor& x) override;
  void freeze();
  bool frozen() const { return frozen_; }
  // Training mode and not frozen: normalise by the batch's statistics.
  bool uses_batch_statistics() const { return is_training() && !frozen_; }
  void write_host_state() const override;
  double eps() const { return eps_; }
  int64_t num_features() const { return weight.size(0); }

  Tensor weight;
  Tensor bias;
  Tensor running_mean;
  Tensor running_var;
  Tensor num_batches_tracked;

 private:
  double eps_;
  double momentum_;
  bool frozen_ = false;
  mutable int64_t pending_batches_ = 0;  // training forwards not yet added to num_batches_tracked
};

// Freezes every BatchNorm2d in `module` (recursively); returns how many.
int freeze_batch_norm(Module& module);

}  // namespace idml::nn
