// Multi-Similarity loss (Wang et al., CVPR 2019; --loss MS, docs/METHOD.md#4-losses)
// as the reference configures PML 2.x: MultiSimilarityMiner(epsilon=0.1)
// (multi_similarity_miner.h), then MultiSimilarityLoss(alpha=2, beta=50,
// base=0.5) on the mined pairs, both on the similarity S of --metric:
//
//   L = 1/B sum_i [ 1/alpha log(1 + sum_{j in P_i} exp(-alpha (S_ij - base)))
//                 + 1/beta  log(1 + sum_{k in N_i} exp( beta  (S_ik - base))) ]
//
// P_i, N_i: the positive and negative pairs of anchor i the miner kept. Every
// row counts in the mean, with or without pairs (PML's MeanReducer over all B
// anchors), and L = 0 when the miner kept at most one positive and at most
// one negative pair (PML's GenericPairLoss returns zero losses then).
#pragma once

#include "train/losses/criterion.h"
#include "train/losses/multi_similarity_miner.h"

namespace idml::train {

struct MultiSimilarityOptions {
  double epsilon = 0.1;  // the miner's
  double alpha = 2.0;
  double beta = 50.0;
  double base = 0.5;
  SimilarityOptions similarity;
};

// similarity (B, B) of the batch, the mined pairs -> scalar loss.
Tensor multi_similarity_from_similarity(const Tensor& similarity, const MinedPairs& mined,
                                        const MultiSimilarityOptions& options);

class MultiSimilarity : public Criterion {
 public:
  explicit MultiSimilarity(const MultiSimilarityOptions& options) : options_(options) {}
  Tensor forward(const Tensor& semantic, const Tensor& uncertainty, const Tensor& labels) const override;
  LossKind kind() const override { return LossKind::MultiSimilarity; }

 private:
  MultiSimilarityOptions options_;
};

}  // namespace idml::train
