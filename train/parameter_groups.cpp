// docs/METHOD.md#6-optimisation's parameter groups, from the network's and the loss's parameters.
#include "train/parameter_groups.h"

namespace idml::train {

bool proxies_train(const Criterion& loss, double proxy_lr_scale) { return loss.has_proxies() && proxy_lr_scale > 0; }

std::vector<nn::ParamGroup> idml_parameter_groups(const models::IDMLNet& net, const Criterion& loss, double lr,
                                                  double weight_decay, double proxy_lr_scale) {
  std::vector<nn::ParamGroup> groups{nn::ParamGroup{"backbone", net.backbone_parameters(), lr, weight_decay},
                                     nn::ParamGroup{"embedding", net.embedding_parameters(), lr, weight_decay}};
  if (proxies_train(loss, proxy_lr_scale))
    groups.push_back(nn::ParamGroup{"proxies", loss.parameters(), lr * proxy_lr_scale, weight_decay});
  return groups;
}

}  // namespace idml::train
