// The classification step and its evaluation.
#include "train/classify/classify_step.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "data/batch_tensors.h"
#include "data/loader.h"
#include "data/samplers.h"
#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "train/classify/ism_logits.h"
#include "train/mixup_step.h"

namespace idml::train::classify {

Tensor classification_loss(const models::ClassifierOutput& out, const models::ClassifierNet& net,
                           TrainingLogits which, const Tensor& labels, const MixedBatch& mixed) {
  auto& fc = const_cast<models::ClassifierNet&>(net).classifier();
  const Tensor logits = which == TrainingLogits::ism
                            ? ism_logits(out.features, out.uncertainty, out.logits, fc.weight, fc.bias)
                            : out.logits;
  if (!mixed.mixed) return cross_entropy(logits, labels);
  return add(mul_scalar(cross_entropy(logits, labels), mixed.lam),
             mul_scalar(cross_entropy(logits, mixed.labels_b), 1.0 - mixed.lam));
}

ClassifyStepResult classify_train_step(models::ClassifierNet& net, nn::Optimizer& optimizer, const Tensor& images,
                                       const Tensor& labels, Generator& gen, const ClassifyStepOptions& options) {
  const MixedBatch mixed = mix_batch(images, labels, options.mix, gen);
  const models::ClassifierOutput out = net.classify(
      mixed.images, options.logits == TrainingLogits::ism ? models::Uncertainty::compute : models::Uncertainty::skip);
  const Tensor loss = classification_loss(out, net, options.logits, labels, mixed);
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
  // The step's one read of device memory, once its update is queued (engine/host_reads.h).
  const double value = loss.item();
  if (!std::isfinite(value))
    throw NonFiniteLoss(std::string("the training loss is ") + (std::isnan(value) ? "NaN" : "infinite") +
                        " (lower --lr or check the data); nothing of this step was saved");
  return {value, mixed.lam, mixed.mixed};
}

TopKErrors top_k_errors(const Tensor& logits, const Tensor& labels) {
  const int64_t n = logits.size(0), classes = logits.size(1);
  const std::vector<float> z = logits.detach().to(Device::cpu()).to(DType::Float32).to_vector<float>();
  const std::vector<int64_t> y = labels.to(Device::cpu()).to_vector<int64_t>();
  TopKErrors errors;
  errors.images = n;
  for (int64_t i = 0; i < n; ++i) {
    const float* row = z.data() + i * classes;
    const float target = row[y[i]];
    // Rank of the label: classes scoring higher, or equal with a lower index (a stable sort's order).
    int64_t rank = 0;
    for (int64_t c = 0; c < classes; ++c) rank += row[c] > target || (row[c] == target && c < y[i]);
    errors.top1 += rank >= 1;
    errors.top5 += rank >= 5;
  }
  if (n > 0) {
    errors.top1 /= static_cast<double>(n);
    errors.top5 /= static_cast<double>(n);
  }
  return errors;
}

TopKErrors evaluate_classifier(models::ClassifierNet& net, const data::Dataset& split,
                               const data::Transform& transform, const ClassifyEvalOptions& options) {
  net.module().eval();
  NoGradGuard no_grad;
  const ConstantParameters constants;  // each BN folded once for the whole pass
  data::LoaderOptions loader_options;
  loader_options.threads = options.workers;
  data::DataLoader loader(split, transform, data::sequential_batches(split.size(), static_cast<size_t>(options.batch_size)),
                          loader_options);
  TopKErrors total;
  data::Batch batch;
  while (loader.next(batch)) {
    const data::BatchTensors tensors = data::to_tensors(batch, options.device);
    const TopKErrors errors = top_k_errors(net.classify(tensors.images, models::Uncertainty::skip).logits, tensors.labels);
    total.top1 += errors.top1 * static_cast<double>(errors.images);  // back to counts
    total.top5 += errors.top5 * static_cast<double>(errors.images);
    total.images += errors.images;
  }
  IDML_CHECK(total.images > 0, "evaluation: the split is empty");
  total.top1 /= static_cast<double>(total.images);
  total.top5 /= static_cast<double>(total.images);
  return total;
}

}  // namespace idml::train::classify
