// Loading an embedding index and searching it exactly (see the header).
#include "train/search/embedding_index.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "engine/backend.h"
#include "engine/error.h"
#include "train/metrics/evaluate.h"
#include "train/metrics/exact_dot.h"
#include "io/npy.h"

namespace idml::search {
namespace {

void check_search(int64_t q, int64_t n, int64_t d, int64_t k) {
  IDML_CHECK(q >= 1 && n >= 1 && d >= 1, "search: need queries, rows and a dimension, got q=", q, " n=", n, " d=", d);
  IDML_CHECK(k >= 1 && k <= n, "search: k must be in [1, ", n, "] (the index size), got ", k);
}

}  // namespace

std::vector<std::string> classes_from_paths(const std::vector<std::string>& paths) {
  std::vector<std::string> classes;
  bool differ = false;
  for (const std::string& p : paths) {
    classes.push_back(std::filesystem::path(p).parent_path().filename().string());
    differ = differ || classes.back() != classes.front();
  }
  if (!differ) std::fill(classes.begin(), classes.end(), std::string());
  return classes;
}

EmbeddingIndex load_embedding_index(const std::string& prefix) {
  const std::string npy_path = prefix + ".npy", paths_path = prefix + "_paths.txt";
  IDML_CHECK(std::filesystem::exists(npy_path), "--index: ", npy_path, " does not exist (write it with `idml embed --out ",
             prefix, "`)");
  IDML_CHECK(std::filesystem::exists(paths_path), "--index: ", paths_path, " does not exist (`idml embed` writes it beside ",
             npy_path, ")");
  npy::NpyArray<float> array = npy::read_npy_float32(npy_path);
  IDML_CHECK(array.shape.size() == 2 && array.shape[0] >= 1 && array.shape[1] >= 1, "--index: ", npy_path,
             " must hold a non-empty (N, D) array of embeddings, got ", array.shape.size(), " dimensions");
  EmbeddingIndex index;
  index.count = array.shape[0];
  index.dim = array.shape[1];
  index.rows = std::move(array.values);
  for (size_t i = 0; i < index.rows.size(); ++i)
    IDML_CHECK(std::isfinite(index.rows[i]), "--index: ", npy_path, " row ", i / index.dim, " is not finite");
  std::ifstream in(paths_path);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) index.paths.push_back(line);
  IDML_CHECK(static_cast<int64_t>(index.paths.size()) == index.count, "--index: ", paths_path, " lists ",
             index.paths.size(), " images but ", npy_path, " has ", index.count,
             " rows; they must come from the same `idml embed` run");
  metrics::l2_normalize(index.rows.data(), index.count, index.dim);
  index.classes = classes_from_paths(index.paths);
  return index;
}

metrics::NearestNeighbours search_index(const float* queries, int64_t q, const float* rows, int64_t n, int64_t d,
                                        int64_t k) {
  check_search(q, n, d, k);
  constexpr int64_t kBlockFloats = int64_t(16) << 20;  // 64 MiB of similarities per block of queries
  const int64_t block_rows = std::min(q, std::max<int64_t>(1, kBlockFloats / n));
  metrics::NearestNeighbours result;
  result.n = q;
  result.k = k;
  result.indices.resize(static_cast<size_t>(q * k));
  result.similarities.resize(static_cast<size_t>(q * k));
  // An upper bound of the row norms for the sgemm error margin: the norm in
  // double, widened by a relative 1e-4 (far above the rounding of a norm).
  double max_norm = 0;
#pragma omp parallel for reduction(max : max_norm) schedule(static)
  for (int64_t j = 0; j < n; ++j)
    max_norm = std::max(max_norm, std::sqrt(metrics::exact_dot(rows + j * d, rows + j * d, d)) * (1 + 1e-4));
  const double error_bound = metrics::float_dot_error_bound(d);
  std::vector<float> block(static_cast<size_t>(block_rows * n));
  for (int64_t start = 0; start < q; start += block_rows) {
    const int64_t count = std::min(block_rows, q - start);
    // block (count, n) = queries[start:start+count] (count, d) x rows^T (d, n),
    // the engine's host GEMM (oneDNN's sgemm takes one query as a GEMV).
    backend_for(Device::cpu())
        .gemm(DType::Float32, Transpose::second, count, n, d, 1.0, queries + start * d, d, rows, d, 0.0, block.data(),
              n);
#pragma omp parallel for schedule(static) if (count > 1)
    for (int64_t r = 0; r < count; ++r) {
      const float* query = queries + (start + r) * d;
      const float* similarities = block.data() + r * n;
      // The k-th best sgemm value, then every row within the sgemm error of it, re-ranked exactly.
      std::vector<float> top(similarities, similarities + n);
      std::nth_element(top.begin(), top.begin() + (k - 1), top.end(), std::greater<float>());
      const double margin = 2.0 * error_bound * std::sqrt(metrics::exact_dot(query, query, d)) * max_norm;
      const double threshold = double(top[static_cast<size_t>(k - 1)]) - margin;
      std::vector<ScoredRow> candidates;
      for (int64_t j = 0; j < n; ++j)
        if (double(similarities[j]) >= threshold) candidates.push_back({metrics::exact_dot(query, rows + j * d, d), j});
      std::partial_sort(candidates.begin(), candidates.begin() + k, candidates.end(), ranks_before);
      for (int64_t i = 0; i < k; ++i) {
        result.indices[static_cast<size_t>((start + r) * k + i)] = candidates[static_cast<size_t>(i)].row;
        result.similarities[static_cast<size_t>((start + r) * k + i)] =
            static_cast<float>(candidates[static_cast<size_t>(i)].similarity);
      }
    }
  }
  return result;
}

metrics::NearestNeighbours search_index_reference(const float* queries, int64_t q, const float* rows, int64_t n,
                                                  int64_t d, int64_t k) {
  check_search(q, n, d, k);
  metrics::NearestNeighbours result;
  result.n = q;
  result.k = k;
  std::vector<ScoredRow> all;
  for (int64_t i = 0; i < q; ++i) {
    all.clear();
    for (int64_t j = 0; j < n; ++j) all.push_back({metrics::exact_dot(queries + i * d, rows + j * d, d), j});
    std::sort(all.begin(), all.end(), ranks_before);
    for (int64_t r = 0; r < k; ++r) {
      result.indices.push_back(all[static_cast<size_t>(r)].row);
      result.similarities.push_back(static_cast<float>(all[static_cast<size_t>(r)].similarity));
    }
  }
  return result;
}

}  // namespace idml::search
