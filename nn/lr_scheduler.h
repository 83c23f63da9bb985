// StepLR, as torch.optim.lr_scheduler.StepLR, in closed form:
//   lr_e = initial_lr * gamma^floor(e / step_size)   for every group,
// stepped once per epoch. set_epoch(e) puts a resumed run at epoch e.
#pragma once

#include "nn/optimizer.h"

namespace idml::nn {

class StepLR {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);
  // End of an epoch: epoch += 1 and every group's lr follows.
  void step();
  void set_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }
  // The lr factor gamma^floor(epoch / step_size).
  double factor(int64_t epoch) const;

 private:
  Optimizer& optimizer_;
  int64_t step_size_;
  double gamma_;
  int64_t epoch_ = 0;
};

}  // namespace idml::nn
