// The spellings of the configuration's enums; see config_enums.h.
#include "train/config_enums.h"

namespace idml::train {

template <>
const Choices<data::DatasetId>& choices() {
  static const Choices<data::DatasetId> all = [] {
    Choices<data::DatasetId> out;
    for (const data::DatasetInfo& info : data::dataset_catalog()) out.emplace_back(info.id, info.name);
    return out;
  }();
  return all;
}

template <>
const Choices<Optimizer>& choices() {
  static const Choices<Optimizer> all{
      {Optimizer::AdamW, "adamw"}, {Optimizer::Adam, "adam"}, {Optimizer::Sgd, "sgd"}, {Optimizer::RmsProp, "rmsprop"}};
  return all;
}

// The reference's spellings (its --loss choices).
template <>
const Choices<LossKind>& choices() {
  static const Choices<LossKind> all{{LossKind::ProxyAnchor, "Proxy_Anchor"}, {LossKind::ProxyNca, "Proxy_NCA"},
                                     {LossKind::MultiSimilarity, "MS"},       {LossKind::Contrastive, "Contrastive"},
                                     {LossKind::Triplet, "Triplet"},          {LossKind::NPair, "NPair"}};
  return all;
}

template <>
const Choices<Metric>& choices() {
  static const Choices<Metric> all{{Metric::Introspective, "ism"}, {Metric::Cosine, "cosine"}};
  return all;
}

template <>
const Choices<Clustering>& choices() {
  static const Choices<Clustering> all{{Clustering::Auto, "auto"}, {Clustering::On, "on"}, {Clustering::Off, "off"}};
  return all;
}

template <>
const Choices<DeviceKind>& choices() {
  static const Choices<DeviceKind> all{{DeviceKind::CPU, "cpu"}, {DeviceKind::CUDA, "cuda"}};
  return all;
}

template <>
const Choices<InferencePrecision>& choices() {
  static const Choices<InferencePrecision> all{{InferencePrecision::Float32, "fp32"},
                                               {InferencePrecision::BFloat16, "bf16"}};
  return all;
}

std::string choice_error(const std::string& flag, const std::string& list, const std::string& text) {
  return flag + ": expected " + list + ", got '" + text + "'";
}

}  // namespace idml::train
