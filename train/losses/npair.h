// N-pair loss (Sohn, NeurIPS 2016; --loss NPair, docs/METHOD.md#4-losses) as
// the reference configures PML 2.x: NPairsLoss() (the reference's
// l2_reg_weight=0: no embedding regulariser, an argument PML 2.x no longer
// has), whose default similarity, the dot product of normalised embeddings,
// is here the similarity S of --metric:
//
//   for every class c with at least two samples in the batch: the anchor a_c is
//   its first sample and the positive p_c its second (PML keeps the first
//   positive pair of each label; further samples of the class are not used)
//   L = 1/K sum_c [ log sum_{c'} exp(S(a_c, p_c')) - S(a_c, p_c) ]
//
// (cross-entropy of each anchor's similarities to the K positives, MeanReducer);
// 0 when no class has two samples. Hence --IPC 2: every image in a pair.
#pragma once

#include "train/losses/criterion.h"
#include "train/losses/pair_masks.h"

namespace idml::train {

// similarity (B, B) of the batch, its pair masks -> scalar loss.
Tensor npair_from_similarity(const Tensor& similarity, const PairMasks& masks);

class NPair : public Criterion {
 public:
  explicit NPair(const SimilarityOptions& similarity) : similarity_(similarity) {}
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::NPair; }

 private:
  SimilarityOptions similarity_;
};

}  // namespace idml::train
