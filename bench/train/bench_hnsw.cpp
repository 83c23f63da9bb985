// HNSW against exact search on synthetic clustered embeddings
// (tests/train/search/clustered_rows.h): build time and file size, then for
// each --ef the mean recall@10 against exact search and the p50 latency of
// one query, beside the exact search's p50. Writes its index under --dir.
//   bench_hnsw --rows 1000000 --dim 128 [--clusters 10000] [--queries 1000] [--m 16]
//              [--ef-construction 200] [--efs 20,40,60,100,150] [--dir /tmp/bench_hnsw]
// Not a Google Benchmark: the build runs once, and recall is not a time.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/train/search/clustered_rows.h"
#include "train/search/hnsw_index.h"
#include "train/search/index.h"
#include "train/search/index_writer.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct Arguments {
  int64_t rows = 100000, dim = 128, clusters = 0, queries = 1000, m = 16, ef_construction = 200, latency_queries = 200,
          exact_latency_queries = 30;
  std::vector<int64_t> efs = {20, 40, 60, 100, 150};
  std::string dir = "/tmp/bench_hnsw";
};

Arguments parse(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rows") a.rows = std::stoll(value);
    else if (flag == "--dim") a.dim = std::stoll(value);
    else if (flag == "--clusters") a.clusters = std::stoll(value);
    else if (flag == "--queries") a.queries = std::stoll(value);
    else if (flag == "--m") a.m = std::stoll(value);
    else if (flag == "--ef-construction") a.ef_construction = std::stoll(value);
    else if (flag == "--dir") a.dir = value;
    else if (flag == "--efs") {
      a.efs.clear();
      std::stringstream list(value);
      for (std::string item; std::getline(list, item, ',');) a.efs.push_back(std::stoll(item));
    } else {
      std::fprintf(stderr, "bench_hnsw: unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  if (a.clusters == 0) a.clusters = std::max<int64_t>(1, a.rows / 100);  // about 100 rows per cluster
  return a;
}

// Median milliseconds of one-query searches over the first `count` queries.
double p50_ms(const idml::search::Index& index, const std::vector<float>& queries, int64_t count, int64_t k,
              const idml::search::SearchOptions& options = {}) {
  std::vector<double> ms;
  for (int64_t i = 0; i < count; ++i) {
    const auto start = Clock::now();
    index.search(queries.data() + i * index.dim(), 1, k, options);
    ms.push_back(seconds_since(start) * 1e3);
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace idml::search;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it comes, also into a file
  const Arguments a = parse(argc, argv);
  const int64_t k = 10;
  std::filesystem::create_directories(a.dir);
  const std::string prefix = a.dir + "/bench_" + std::to_string(a.rows) + "x" + std::to_string(a.dim);
  std::printf("synthetic clustered rows: %lld x %lld, %lld clusters (spread 1), %lld queries, k = %lld\n",
              (long long)a.rows, (long long)a.dim, (long long)a.clusters, (long long)a.queries, (long long)k);
  const idml::testing::Clusters clusters{a.clusters, 1.0f, 0};
  const std::vector<float> rows = idml::testing::clustered_unit_rows(a.rows, a.dim, clusters, 1);
  const std::vector<float> queries = idml::testing::clustered_unit_rows(a.queries, a.dim, clusters, 2);

  // The exact index (what `idml embed` writes), then the graph, timed alone.
  std::vector<std::string> paths;
  for (int64_t i = 0; i < a.rows; ++i) paths.push_back("c/" + std::to_string(i) + ".jpg");
  IndexContents contents;
  contents.semantic = rows.data();
  contents.count = a.rows;
  contents.dim = a.dim;
  contents.paths = &paths;
  contents.weights.sha256 = std::string(64, '0');
  contents.weights.embedding_size = a.dim;
  IndexRecord record = write_index(prefix, contents, {});
  HnswBuildOptions build;
  build.m = a.m;
  build.ef_construction = a.ef_construction;
  const auto build_start = Clock::now();
  const FileFingerprint graph = HnswIndex::build(rows.data(), a.rows, a.dim, build, index_files(prefix).hnsw);
  const double build_seconds = seconds_since(build_start);
  record.hnsw = HnswRecord{graph, a.m, a.ef_construction, build.seed};
  write_index_record(prefix, record);
  std::printf("HNSW build (M = %lld, ef_construction = %lld, 1 thread): %.1f s; file %.1f MiB (embeddings %.1f MiB)\n",
              (long long)a.m, (long long)a.ef_construction, build_seconds, graph.bytes / 1048576.0,
              record.embeddings.bytes / 1048576.0);

  OpenOptions exact_options;
  exact_options.method = SearchMethod::exact;
  auto open_start = Clock::now();
  const Index exact = Index::open(prefix, exact_options);
  const double exact_open = seconds_since(open_start);
  const auto truth_start = Clock::now();
  const idml::metrics::NearestNeighbours truth = exact.search(queries.data(), a.queries, k);
  const double truth_seconds = seconds_since(truth_start);
  const double exact_p50 = p50_ms(exact, queries, std::min(a.queries, a.exact_latency_queries), k);
  std::printf("exact: open %.2f s; %lld queries in one batch %.2f s; one query p50 %.2f ms\n", exact_open,
              (long long)a.queries, truth_seconds, exact_p50);

  OpenOptions hnsw_options;
  hnsw_options.method = SearchMethod::hnsw;
  open_start = Clock::now();
  const Index hnsw = Index::open(prefix, hnsw_options);
  std::printf("HNSW: open %.2f s (the checks included)\n", seconds_since(open_start));
  std::printf("%6s  %12s  %14s  %12s\n", "ef", "recall@10", "p50 ms/query", "vs exact");
  for (const int64_t ef : a.efs) {
    SearchOptions options;
    options.ef = ef;
    const idml::metrics::NearestNeighbours found = hnsw.search(queries.data(), a.queries, k, options);
    int64_t hits = 0;
    for (int64_t i = 0; i < a.queries; ++i) {
      const std::set<int64_t> want(truth.neighbours_of(i), truth.neighbours_of(i) + k);
      for (int64_t r = 0; r < k; ++r) hits += int64_t(want.count(found.neighbours_of(i)[r]));
    }
    const double p50 = p50_ms(hnsw, queries, std::min(a.queries, a.latency_queries), k, options);
    std::printf("%6lld  %12.4f  %14.3f  %11.0fx\n", (long long)ef, double(hits) / double(a.queries * k), p50,
                exact_p50 / p50);
  }
  return 0;
}
