// Per-class Recall@1 and the choice of gallery queries (see the header).
#include "train/report/retrieval_gallery.h"

#include <algorithm>
#include <numeric>

#include "engine/error.h"

namespace idml::report {
namespace {

// splitmix64: a portable stream, so the same seed picks the same queries everywhere.
uint64_t next_random(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

RetrievalAnalysis analyse_retrieval(const metrics::NearestNeighbours& knn, const metrics::RelevanceLabels& labels,
                                    int random_queries, int worst_queries, uint64_t seed) {
  IDML_CHECK(knn.n == labels.queries() && knn.k >= 1, "analyse_retrieval: ", knn.n, " neighbour rows for ",
             labels.queries(), " queries");
  const int64_t n = knn.n;
  struct Failure {
    int64_t query, same_class;
    float top_similarity;
  };
  std::vector<Failure> failures;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* nb = knn.neighbours_of(i);
    const int64_t y = labels.query[i];
    if (labels.reference[nb[0]] == y) continue;
    int64_t same = 0;
    for (int64_t r = 0; r < knn.k; ++r) same += labels.reference[nb[r]] == y;
    failures.push_back({i, same, knn.similarities[static_cast<size_t>(i * knn.k)]});
  }
  RetrievalAnalysis out;
  out.classes = metrics::recall_at_1_per_class(knn, labels);

  std::sort(failures.begin(), failures.end(), [](const Failure& a, const Failure& b) {
    if (a.same_class != b.same_class) return a.same_class < b.same_class;
    if (a.top_similarity != b.top_similarity) return a.top_similarity > b.top_similarity;
    return a.query < b.query;
  });
  std::vector<char> taken(static_cast<size_t>(n), 0);
  for (size_t f = 0; f < failures.size() && static_cast<int>(out.queries.size()) < worst_queries; ++f) {
    out.queries.push_back({failures[f].query, true});
    taken[static_cast<size_t>(failures[f].query)] = 1;
  }
  // A partial Fisher-Yates shuffle over the queries not taken yet.
  std::vector<int64_t> pool;
  for (int64_t i = 0; i < n; ++i)
    if (!taken[static_cast<size_t>(i)]) pool.push_back(i);
  uint64_t state = seed;
  std::vector<int64_t> sample;
  for (size_t i = 0; i < pool.size() && static_cast<int>(sample.size()) < random_queries; ++i) {
    const size_t j = i + static_cast<size_t>(next_random(state) % (pool.size() - i));
    std::swap(pool[i], pool[j]);
    sample.push_back(pool[i]);
  }
  std::sort(sample.begin(), sample.end());
  for (int64_t q : sample) out.queries.push_back({q, false});
  return out;
}

std::vector<ClassRecall> hardest_classes(const std::vector<ClassRecall>& classes, size_t count) {
  std::vector<ClassRecall> sorted = classes;
  std::sort(sorted.begin(), sorted.end(), [](const ClassRecall& a, const ClassRecall& b) {
    if (a.recall_at_1 != b.recall_at_1) return a.recall_at_1 < b.recall_at_1;
    if (a.queries != b.queries) return a.queries > b.queries;
    return a.label < b.label;
  });
  sorted.resize(std::min(count, sorted.size()));
  return sorted;
}

}  // namespace idml::report
