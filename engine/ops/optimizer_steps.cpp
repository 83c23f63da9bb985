// Front-ends of the fused optimizer kernels: they update tensors in place
// and record nothing (optimizers run under NoGradGuard anyway).
#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

void adam_step_(const Tensor& param, const Tensor& grad, const Tensor& exp_avg, const Tensor& exp_avg_sq,
                const AdamStep& step) {
  check_same("adam_step", {param, grad, exp_avg, exp_avg_sq});
  check_floating("adam_step", param);
  for (const Tensor* t : {&grad, &exp_avg, &exp_avg_sq})
    IDML_CHECK(t->shape() == param.shape(), "adam_step: ", t->str(), " does not match the parameter ", param.str());
  IDML_CHECK(step.bias_correction1 > 0 && step.bias_correction2 > 0,
             "adam_step: bias corrections must be positive (step count >= 1)");
  backend_of(param).adam_step(param.dtype(), step, param.numel(), param.raw_data(), to_plain(grad).raw_data(),
                              exp_avg.raw_data(), exp_avg_sq.raw_data());
}

}  // namespace idml
