// docs/METHOD.md#6-optimisation's three parameter groups, from the network's and the loss's parameters.
#include "train/parameter_groups.h"

namespace idml::train {

std::vector<nn::ParamGroup> idml_parameter_groups(const models::IDMLNet& net, const ProxyAnchor& loss, double lr,
                                                  double weight_decay) {
  return {nn::ParamGroup{"backbone", net.backbone_parameters(), lr, weight_decay},
          nn::ParamGroup{"embedding", net.embedding_parameters(), lr, weight_decay},
          nn::ParamGroup{"proxies", loss.parameters(), lr * kProxyLrMultiplier, weight_decay}};
}

}  // namespace idml::train
