// Linear: parameters, default init, forward through the engine's linear.
#include "nn/linear.h"

#include "engine/ops.h"
#include "nn/init.h"

namespace idml::nn {

Linear::Linear(int64_t in_features, int64_t out_features, ParameterInit init, Bias with) {
  IDML_CHECK(in_features > 0 && out_features > 0, "Linear: features must be positive, got in ", in_features,
             ", out ", out_features);
  weight = register_parameter("weight", empty({out_features, in_features}));
  if (with == Bias::learned) bias = register_parameter("bias", empty({out_features}));
  init::default_weight_and_bias_(weight, bias, init);
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

}  // namespace idml::nn
