// What the retrieval of the eval split looks like, from its k nearest
// neighbours: Recall@1 per class, and the queries the report shows (a seeded
// random sample, plus the worst failures: top-1 wrong, fewest same-class
// neighbours in the top k, then the most confident wrong first neighbour).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "train/metrics/nearest_neighbours.h"

namespace idml::report {

struct GalleryQuery {
  int64_t query = 0;
  bool worst = false;  // chosen as one of the worst failures (else: the random sample)
};

struct ClassRecall {
  int64_t label = 0;
  int64_t size = 0;         // queries of that class
  double recall_at_1 = 0;   // fraction of them whose first neighbour has the same class
};

struct RetrievalAnalysis {
  std::vector<ClassRecall> classes;     // sorted by label
  std::vector<GalleryQuery> queries;    // the worst first, then the random sample in index order
};

// knn: the neighbours of every point (knn.n == labels.size()). Picks
// `worst_queries` failures (fewer if there are fewer) and `random_queries`
// other queries drawn with `seed`.
RetrievalAnalysis analyse_retrieval(const metrics::NearestNeighbours& knn, const std::vector<int64_t>& labels,
                                    int random_queries, int worst_queries, uint64_t seed);

// The `count` classes with the lowest Recall@1 (ties: larger class first, then label).
std::vector<ClassRecall> hardest_classes(const std::vector<ClassRecall>& classes, size_t count);

}  // namespace idml::report
