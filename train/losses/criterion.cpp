// make_criterion for --loss, and what each loss needs of the balanced sampler.
#include "train/losses/criterion.h"

#include "train/losses/contrastive.h"
#include "train/losses/multi_similarity.h"
#include "train/losses/npair.h"
#include "train/losses/proxy_anchor.h"
#include "train/losses/proxy_nca.h"
#include "train/losses/triplet.h"

namespace idml::train {

ImagesPerClassNeed images_per_class_need(LossKind kind) {
  switch (kind) {
    case LossKind::ProxyAnchor:
    case LossKind::ProxyNca:
      return {};
    case LossKind::MultiSimilarity:
    case LossKind::Contrastive:
    case LossKind::Triplet:
      return {2, ImagesPerClassNeed::Count::at_least,
              "a pair-based loss learns from pairs of images of one class in a batch"};
    case LossKind::NPair:
      return {2, ImagesPerClassNeed::Count::exactly,
              "N-pair takes the first two images of each class in a batch (PML's NPairsLoss) and ignores the rest"};
  }
  return {};
}

bool loss_has_proxies(LossKind kind) { return kind == LossKind::ProxyAnchor || kind == LossKind::ProxyNca; }

std::unique_ptr<Criterion> make_criterion(LossKind kind, int64_t num_classes, int64_t embedding_size,
                                          const CriterionOptions& options, Generator& gen) {
  switch (kind) {
    case LossKind::ProxyAnchor: {
      ProxyAnchorOptions o;
      o.alpha = options.alpha;
      o.margin = options.margin;
      o.metric = options.similarity.metric;
      o.ism = options.similarity.ism;
      return std::make_unique<ProxyAnchor>(num_classes, embedding_size, o, gen);
    }
    case LossKind::ProxyNca: {
      ProxyNcaOptions o;
      o.similarity = options.similarity;
      return std::make_unique<ProxyNca>(num_classes, embedding_size, o, gen);
    }
    case LossKind::MultiSimilarity: {
      MultiSimilarityOptions o;
      o.similarity = options.similarity;
      return std::make_unique<MultiSimilarity>(o);
    }
    case LossKind::Contrastive: {
      ContrastiveOptions o;
      o.similarity = options.similarity;
      return std::make_unique<Contrastive>(o);
    }
    case LossKind::Triplet: {
      TripletOptions o;
      o.similarity = options.similarity;
      return std::make_unique<Triplet>(o);
    }
    case LossKind::NPair:
      return std::make_unique<NPair>(options.similarity);
  }
  throw Error("make_criterion: unknown loss");
}

}  // namespace idml::train
