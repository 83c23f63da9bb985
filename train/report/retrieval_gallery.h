// What the retrieval of the eval split looks like (or of the queries among
// the gallery), from the k nearest neighbours: Recall@1 per class
// (metrics::recall_at_1_per_class), and the queries the report shows (a seeded
// random sample, plus the worst failures: top-1 wrong, fewest same-class
// neighbours in the top k, then the most confident wrong first neighbour).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "train/metrics/nearest_neighbours.h"
#include "train/metrics/retrieval_metrics.h"

namespace idml::report {

struct GalleryQuery {
  int64_t query = 0;
  bool worst = false;  // chosen as one of the worst failures (else: the random sample)
};

using metrics::ClassRecall;

struct RetrievalAnalysis {
  std::vector<ClassRecall> classes;     // sorted by label
  std::vector<GalleryQuery> queries;    // the worst first, then the random sample in index order
};

// knn: the neighbours of every query (knn.n == labels.queries()). Picks
// `worst_queries` failures (fewer if there are fewer) and `random_queries`
// other queries drawn with `seed`.
RetrievalAnalysis analyse_retrieval(const metrics::NearestNeighbours& knn, const metrics::RelevanceLabels& labels,
                                    int random_queries, int worst_queries, uint64_t seed);

// The `count` classes with the lowest Recall@1 (ties: larger class first, then label).
std::vector<ClassRecall> hardest_classes(const std::vector<ClassRecall>& classes, size_t count);

}  // namespace idml::report
