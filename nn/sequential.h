// Sequential, as torch.nn.Sequential: Layers named "0", "1", ... applied in
// order (torchvision's `downsample` is Sequential(conv, bn), hence the names
// `downsample.0.weight`, `downsample.1.running_mean`; a ResNet stage
// `layer1` is a Sequential of blocks).
#pragma once

#include <memory>
#include <vector>

#include "nn/layer.h"

namespace idml::nn {

class Sequential : public Layer {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Layer>> layers);
  // Appends under the next index; returns the layer.
  template <typename L>
  std::shared_ptr<L> push_back(std::shared_ptr<L> layer) {
    append(layer);
    return layer;
  }
  Tensor forward(const Tensor& x) override;
  size_t size() const { return layers_.size(); }
  const std::shared_ptr<Layer>& operator[](size_t i) const { return layers_.at(i); }

 private:
  void append(std::shared_ptr<Layer> layer);
  std::vector<std::shared_ptr<Layer>> layers_;
};

}  // namespace idml::nn
