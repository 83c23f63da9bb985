// One classification training step (docs/METHOD.md#10-classification, the authors' CutMix-PyTorch loop):
//   mix the batch (none | Mixup | CutMix with its coin), forward,
//   logits = ISM training logits z' (--ism 1) or the plain z,
//   loss = CE(logits, y), or lam CE(logits, y) + (1 - lam) CE(logits, y[perm]) when mixed,
//   zero grads, backward, optimizer step (no gradient clipping, as theirs).
// And the evaluation: top-1 / top-5 error of the plain logits z in eval mode.
#pragma once

#include "data/dataset.h"
#include "data/transforms.h"
#include "engine/generator.h"
#include "models/classifier_net.h"
#include "nn/optimizer.h"
#include "train/classify/mixing.h"

namespace idml::train::classify {

// The logits the loss is taken on: the ISM training logits z' (--ism 1) or the plain z.
enum class TrainingLogits { ism, plain };

struct ClassifyStepOptions {
  TrainingLogits logits = TrainingLogits::ism;
  MixOptions mix;
};

struct ClassifyStepResult {
  double loss = 0;
  double lam = 1;
  bool mixed = false;
};

// images float (N, 3, H, W), labels int64 (N), on the network's device; `gen`
// draws the mixing. Throws NonFiniteLoss (train/mixup_step.h) after the update is queued; nothing is saved.
ClassifyStepResult classify_train_step(models::ClassifierNet& net, nn::Optimizer& optimizer, const Tensor& images,
                                       const Tensor& labels, Generator& gen, const ClassifyStepOptions& options);

// The training loss of a forward pass on (mixed) images, for the step and for tests.
Tensor classification_loss(const models::ClassifierOutput& out, const models::ClassifierNet& net,
                           TrainingLogits logits, const Tensor& labels, const MixedBatch& mixed);

struct TopKErrors {
  double top1 = 0, top5 = 0;  // fractions in [0, 1]
  int64_t images = 0;
};

// Fractions of the rows of logits (N, C) whose label is not among the 1 / 5 largest (ties: lower index first).
TopKErrors top_k_errors(const Tensor& logits, const Tensor& labels);

struct ClassifyEvalOptions {
  int64_t batch_size = 100;
  int workers = 2;
  Device device = Device::cpu();
};

TopKErrors evaluate_classifier(models::ClassifierNet& net, const data::Dataset& split,
                               const data::Transform& transform, const ClassifyEvalOptions& options);

}  // namespace idml::train::classify
