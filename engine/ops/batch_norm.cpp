// batch_norm front-end with PyTorch semantics (see engine/ops.h).
#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

Tensor batch_norm(const Tensor& x_in, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, BatchNormMode mode, double momentum, double eps) {
  const bool training = mode == BatchNormMode::training;
  check_same("batch_norm", {x_in, weight, bias, running_mean, running_var});
  const Tensor x = to_plain(x_in);  // a oneDNN convolution's output may come blocked
  check_floating("batch_norm", x);
  IDML_CHECK(x.dim() == 2 || x.dim() == 4, "batch_norm: input must be (N, C) or (N, C, H, W), got ", x.str());
  const int64_t n = x.size(0), c = x.size(1), hw = x.numel() / std::max<int64_t>(1, n * c);
  for (const Tensor* t : {&weight, &bias, &running_mean, &running_var})
    if (t->defined())
      IDML_CHECK(t->dim() == 1 && t->size(0) == c, "batch_norm: per-channel tensor ", t->str(),
                 " does not match input ", x.str(), " with ", c, " channels");
  IDML_CHECK(training || (running_mean.defined() && running_var.defined()),
             "batch_norm: inference mode needs running statistics");
  IDML_CHECK(running_mean.defined() == running_var.defined(),
             "batch_norm: give both running_mean and running_var or neither");
  Backend& be = backend_of(x);
  Tensor y = empty(x.shape(), x.dtype(), x.device());
  Tensor mean, invstd;
  const void* w = weight.defined() ? weight.raw_data() : nullptr;
  const void* b = bias.defined() ? bias.raw_data() : nullptr;
  if (training) {
    IDML_CHECK(n * hw > 1, "batch_norm: training needs more than one value per channel, got input ", x.str());
    mean = empty({c}, x.dtype(), x.device());
    invstd = empty({c}, x.dtype(), x.device());
    be.batch_norm_forward_training(x.dtype(), n, c, hw, x.raw_data(), w, b, y.raw_data(), mean.raw_data(),
                                   invstd.raw_data(), running_mean.defined() ? running_mean.raw_data() : nullptr,
                                   running_var.defined() ? running_var.raw_data() : nullptr, momentum, eps);
  } else {
    NoGradGuard no_grad;
    mean = running_mean.detach();
    invstd = div(ones({c}, x.dtype(), x.device()), sqrt(add_scalar(running_var.detach(), eps)));
    be.batch_norm_forward_inference(x.dtype(), n, c, hw, x.raw_data(), w, b, mean.raw_data(), invstd.raw_data(),
                                    y.raw_data());
  }
  return record(y, "batch_norm", {x, weight, bias},
                [xd = x.detach(), wd = weight.defined() ? weight.detach() : Tensor(), mean, invstd, mode, n, c,
                 hw](const Tensor& dy, const std::vector<bool>& needs) {
                  Tensor dx, dw, db;
                  if (needs[0]) dx = empty(xd.shape(), dy.dtype(), dy.device());
                  if (needs[1]) dw = empty({c}, dy.dtype(), dy.device());
                  if (needs[2]) db = empty({c}, dy.dtype(), dy.device());
                  backend_of(dy).batch_norm_backward(
                      dy.dtype(), mode, n, c, hw, xd.raw_data(), to_plain(dy).raw_data(),
                      wd.defined() ? wd.raw_data() : nullptr, mean.raw_data(), invstd.raw_data(),
                      dx.defined() ? dx.raw_data() : nullptr, dw.defined() ? dw.raw_data() : nullptr,
                      db.defined() ? db.raw_data() : nullptr);
                  return std::vector<Tensor>{dx, dw, db};
                });
}

}  // namespace idml
