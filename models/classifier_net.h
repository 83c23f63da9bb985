// The networks of the classification task (docs/METHOD.md#10-classification): a trunk, global average
// pooling to features f (N, F), the classifier `fc` (logits z = W f + b) and
// the uncertainty layer `uncertainty` (u = relu(W_u f + b_u)) that only the ISM
// training logits use. Two trunks:
//   ResNetClassifier: torchvision's ResNet (names unchanged, so ImageNet
//                     weights load; `uncertainty` 512-d is registered after fc)
//   PyramidNet:       models/pyramidnet.h (CIFAR, `uncertainty` 128-d)
#pragma once

#include <memory>
#include <string>

#include "models/resnet.h"
#include "nn/linear.h"

namespace idml::models {

struct ClassifierOutput {
  Tensor features;     // f (N, F), after the global average pool
  Tensor logits;       // z (N, C) = fc(f)
  Tensor uncertainty;  // u (N, U) = relu(uncertainty(f))
};

// Whether classify() computes u: only the ISM training logits use it.
enum class Uncertainty { skip, compute };

// What the classification run needs of a network; the module itself is
// module() (its state dict is the checkpoint).
class ClassifierNet {
 public:
  virtual ~ClassifierNet() = default;
  // x (N, 3, H, W) -> f, z, and u where asked.
  virtual ClassifierOutput classify(const Tensor& x, Uncertainty uncertainty) = 0;
  virtual nn::Module& module() = 0;
  virtual nn::Linear& classifier() = 0;
  nn::Linear& uncertainty_layer() { return *uncertainty; }
  int64_t num_classes() { return classifier().out_features(); }

  std::shared_ptr<nn::Linear> uncertainty;
};

// torchvision's ResNet with its own names plus `uncertainty.weight/bias`.
class ResNetClassifier : public ResNet, public ClassifierNet {
 public:
  ResNetClassifier(const std::string& name, int64_t num_classes, int64_t uncertainty_size, nn::ParameterInit init);
  ClassifierOutput classify(const Tensor& x, Uncertainty uncertainty) override;
  nn::Module& module() override { return *this; }
  nn::Linear& classifier() override { return *fc; }
};

struct ClassifierConfig {
  std::string model = "pyramidnet";  // resnet18|34|50|101 or pyramidnet
  int64_t num_classes = 10;
  int64_t depth = 200;               // PyramidNet
  double alpha = 240;                // PyramidNet widening
  bool bottleneck = true;            // PyramidNet
  int64_t uncertainty_size = 0;      // 0: 512 for ResNets, 128 for PyramidNet
};

std::unique_ptr<ClassifierNet> make_classifier(const ClassifierConfig& config, nn::ParameterInit init);

}  // namespace idml::models
