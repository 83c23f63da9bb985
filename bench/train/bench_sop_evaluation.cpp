// One whole SOP-scale evaluation (kNN for R@1/10/100/1000, RP, MAP@R, and the
// 10-restart k-means for NMI/F1) on synthetic SOP-shaped embeddings: 11,316
// classes of 2-12 images (60,502 in all, as SOP's eval split), 512-d, each
// class a unit centre plus Gaussian noise, L2-normalised. Prints the wall time
// of each part, the k-means iterations, and the metrics.
//   bench_sop_evaluation [--restarts R] [--max-iterations M] [--classes C]
//                        [--sigma S] [--device cpu|cuda] [--no-knn]
// --classes scales the data set down (images = C x SOP's 5.35 per class).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "train/metrics/clustering_metrics.h"
#include "train/metrics/evaluate.h"
#include "train/metrics/kmeans.h"

namespace {

struct Data {
  std::vector<float> points;
  std::vector<int64_t> labels;
  int64_t n = 0;
};

// classes x (2 + extra) images, extras spread at random (at most 12 per class) so that the
// mean is SOP's 60502 / 11316.
Data sop_shaped(int64_t classes, int64_t d, double sigma) {
  std::mt19937_64 generator(2024);
  const int64_t total = classes * 60502 / 11316;
  std::vector<int64_t> sizes(static_cast<size_t>(classes), 2);
  std::uniform_int_distribution<int64_t> pick(0, classes - 1);
  for (int64_t extra = total - 2 * classes; extra > 0;) {
    int64_t& size = sizes[size_t(pick(generator))];
    if (size < 12) ++size, --extra;
  }
  std::normal_distribution<float> normal;
  Data data;
  std::vector<float> centre(static_cast<size_t>(d));
  for (int64_t c = 0; c < classes; ++c) {
    for (auto& x : centre) x = normal(generator);
    idml::metrics::l2_normalize(centre.data(), 1, d);
    for (int64_t i = 0; i < sizes[size_t(c)]; ++i) {
      for (int64_t j = 0; j < d; ++j)
        data.points.push_back(centre[size_t(j)] + float(sigma / std::sqrt(double(d))) * normal(generator));
      data.labels.push_back(c);
    }
  }
  data.n = static_cast<int64_t>(data.labels.size());
  idml::metrics::l2_normalize(data.points.data(), data.n, d);
  return data;
}

// User + system CPU seconds of the whole process so far (on a shared host, wall time
// depends on the neighbours; CPU time much less).
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + 1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  int restarts = 10, max_iterations = 300;
  int64_t classes = 11316, d = 512;
  double sigma = 0.9;
  std::string device_name = "cpu";
  bool knn = true;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (flag == "--restarts") restarts = std::atoi(value), ++i;
    else if (flag == "--max-iterations") max_iterations = std::atoi(value), ++i;
    else if (flag == "--classes") classes = std::atoll(value), ++i;
    else if (flag == "--sigma") sigma = std::atof(value), ++i;
    else if (flag == "--device") device_name = value, ++i;
    else if (flag == "--no-knn") knn = false;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  const idml::Device device = device_name == "cuda" ? idml::Device::cuda(0) : idml::Device::cpu();
  const auto start = std::chrono::steady_clock::now();
  const Data data = sop_shaped(classes, d, sigma);
  std::printf("data: %lld x %lld, %lld classes (%.1f s to make)\n", static_cast<long long>(data.n),
              static_cast<long long>(d), static_cast<long long>(classes),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  if (knn) {
    const double cpu_start = cpu_seconds();
    idml::metrics::EvaluationOptions options;
    options.recall_ks = {1, 10, 100, 1000};
    options.compute_clustering = false;
    options.device = device;
    const auto result = idml::metrics::evaluate(data.points.data(), data.labels.data(), data.n, d, options);
    std::printf("kNN (K = 1000) + R@K, RP, MAP@R on %s: %.1f s wall (kNN), %.1f s CPU; R@1 %.4f  R@1000 %.4f  "
                "MAP@R %.4f\n", device_name.c_str(), result.knn_seconds, cpu_seconds() - cpu_start, result.get("R@1"),
                result.get("R@1000"), result.get("MAP@R"));
    std::fflush(stdout);
  }
  idml::metrics::KMeansOptions options;
  options.clusters = classes;
  options.restarts = restarts;
  options.max_iterations = max_iterations;
  options.device = device;
  const auto kmeans_start = std::chrono::steady_clock::now();
  const double kmeans_cpu_start = cpu_seconds();
  const auto result = idml::metrics::kmeans(data.points.data(), data.n, d, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - kmeans_start).count();
  std::printf("k-means, %d restarts on %s: %.1f s wall, %.1f s CPU (seeding %.1f s, Lloyd %.1f s over %d iterations, %.2f s each); "
              "winner: restart %d, %d iterations, converged %d; NMI %.4f  F1 %.4f\n",
              restarts, device_name.c_str(), seconds, cpu_seconds() - kmeans_cpu_start, result.seeding_seconds, result.lloyd_seconds,
              result.total_iterations, result.lloyd_seconds / std::max(1, result.total_iterations), result.restart,
              result.iterations, int(result.converged),
              idml::metrics::normalized_mutual_info(data.labels.data(), result.assignment.data(), data.n),
              idml::metrics::pair_counting_f1(data.labels.data(), result.assignment.data(), data.n));
  return 0;
}
