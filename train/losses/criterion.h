// The criterion interface of the training step: the six losses of the
// authors' training script (--loss), each on the similarity of --metric
// (docs/METHOD.md#3-ism, #4-losses). A criterion is a module, so the proxy
// losses carry their proxies (state name `proxies`) into the optimiser,
// checkpoints and the report; the pair-based losses have no state.
//
//   Proxy_Anchor  proxy_anchor.h       Proxy_NCA  proxy_nca.h
//   MS            multi_similarity.h   Contrastive contrastive.h
//   Triplet       triplet.h            NPair      npair.h
//
// forward() runs on the device of its inputs and never reads from it: every
// selection (miners, label masks, reductions) is a dense mask (pair_masks.h,
// reducers.h). Label checks that need values are the caller's, on the host.
#pragma once

#include <memory>

#include "engine/generator.h"
#include "nn/module.h"
#include "train/losses/similarity.h"

namespace idml::train {

enum class LossKind { ProxyAnchor, ProxyNca, MultiSimilarity, Contrastive, Triplet, NPair };

// What the balanced sampler (--IPC) must give a loss: none (0), at least
// `images_per_class` images of each class in a batch, or exactly that many.
struct ImagesPerClassNeed {
  enum class Count { at_least, exactly };
  int64_t images_per_class = 0;
  Count count = Count::at_least;
  const char* why = "";
};
ImagesPerClassNeed images_per_class_need(LossKind kind);

// Proxy_Anchor and Proxy_NCA learn proxies; the pair-based losses do not.
bool loss_has_proxies(LossKind kind);

class Criterion : public nn::Module {
 public:
  // semantic, uncertainty (B, D), labels int64 (B) in [0, C) -> scalar loss.
  virtual Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const = 0;
  virtual LossKind kind() const = 0;
  // Proxy losses own learnable proxies (C, D); pair-based losses own nothing.
  bool has_proxies() const { return !named_parameters().empty(); }
};

// What the command line sets for every criterion: the similarity, and
// Proxy-Anchor's --alpha and --mrg (the other losses' settings are the
// reference's constants, in their own headers).
struct CriterionOptions {
  SimilarityOptions similarity;
  double alpha = 32.0;
  double margin = 0.1;
};

// The criterion of --loss for C training classes and embedding size D;
// proxies (if any) are drawn from `gen`.
std::unique_ptr<Criterion> make_criterion(LossKind kind, int64_t num_classes, int64_t embedding_size,
                                          const CriterionOptions& options, Generator& gen);

}  // namespace idml::train
