// Images per second of decode, decode + train transform (RandomResizedCrop 224,
// flip, normalise) and decode + eval transform (Resize 256, CenterCrop 224,
// normalise) on real JPEG photos, with 1 thread and with several (rates are
// per wall-clock second over all threads). Also the threaded DataLoader end to
// end. Files: IDML_BENCH_IMAGES (colon-separated) or, by default, the two
// photos of Debian's python3-sklearn (640x427, about CUB's image size).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "data/decode.h"
#include "data/loader.h"
#include "data/transforms.h"

namespace idml::data {
namespace {

std::vector<std::string> bench_files() {
  const char* env = std::getenv("IDML_BENCH_IMAGES");
  std::string list = env ? env : "/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg:"
                                  "/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg";
  std::vector<std::string> files;
  std::stringstream in(list);
  for (std::string f; std::getline(in, f, ':');) if (!f.empty()) files.push_back(f);
  return files;
}

// Encoded bytes, read once, so the benchmark measures decoding, not the disk.
const std::vector<std::vector<uint8_t>>& encoded() {
  static const std::vector<std::vector<uint8_t>> bytes = [] {
    std::vector<std::vector<uint8_t>> out;
    try {
      for (const auto& f : bench_files()) out.push_back(read_file_bytes(f));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_data: %s\n(install python3-sklearn for the default photos, or set "
                   "IDML_BENCH_IMAGES=a.jpg:b.jpg)\n", e.what());
      std::exit(2);
    }
    return out;
  }();
  return bytes;
}

void BM_Decode(benchmark::State& state) {
  const auto& files = encoded();
  size_t i = 0;
  for (auto _ : state) {
    const auto& f = files[i++ % files.size()];
    benchmark::DoNotOptimize(decode_image_memory(f.data(), f.size(), "bench").pixels.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeTrainTransform(benchmark::State& state) {
  const auto& files = encoded();
  const TrainTransform transform;
  std::vector<float> out(3 * 224 * 224);
  uint64_t i = static_cast<uint64_t>(state.thread_index()) << 32;
  for (auto _ : state) {
    const auto& f = files[i % files.size()];
    SampleRandom random = SampleRandom::for_sample(0, 0, i++);
    transform.apply(decode_image_memory(f.data(), f.size(), "bench"), random, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DecodeEvalTransform(benchmark::State& state) {
  const auto& files = encoded();
  const EvalTransform transform;
  std::vector<float> out(3 * 224 * 224);
  size_t i = 0;
  SampleRandom unused(0);
  for (auto _ : state) {
    const auto& f = files[i++ % files.size()];
    transform.apply(decode_image_memory(f.data(), f.size(), "bench"), unused, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The transforms alone, on an already decoded image.
void BM_TrainTransformOnly(benchmark::State& state) {
  const auto& f = encoded()[0];
  const Image image = decode_image_memory(f.data(), f.size(), "bench");
  const TrainTransform transform;
  std::vector<float> out(3 * 224 * 224);
  uint64_t i = static_cast<uint64_t>(state.thread_index()) << 32;
  for (auto _ : state) {
    SampleRandom random = SampleRandom::for_sample(0, 0, i++);
    transform.apply(image, random, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EvalTransformOnly(benchmark::State& state) {
  const auto& f = encoded()[0];
  const Image image = decode_image_memory(f.data(), f.size(), "bench");
  const EvalTransform transform;
  std::vector<float> out(3 * 224 * 224);
  SampleRandom unused(0);
  for (auto _ : state) {
    transform.apply(image, unused, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// The loader on an in-memory dataset of the encoded files (decoded per sample).
class EncodedDataset : public Dataset {
 public:
  size_t size() const override { return 1200; }
  int64_t label(size_t i) const override { return static_cast<int64_t>(i % 10); }
  std::string source(size_t i) const override { return "bench#" + std::to_string(i); }
  Image load(size_t i) const override {
    const auto& f = encoded()[i % encoded().size()];
    return decode_image_memory(f.data(), f.size(), source(i));
  }
};

void BM_DataLoaderTrainEpoch(benchmark::State& state) {
  const EncodedDataset dataset;
  const TrainTransform transform;
  LoaderOptions options;
  options.threads = static_cast<int>(state.range(0));
  size_t images = 0;
  for (auto _ : state) {
    DataLoader loader(dataset, transform, shuffled_batches(dataset.size(), 120, 0, 0), options);
    Batch batch;
    while (loader.next(batch)) images += static_cast<size_t>(batch.size);
  }
  state.SetItemsProcessed(static_cast<int64_t>(images));
}

const int kAllThreads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

BENCHMARK(BM_Decode)->UseRealTime()->Threads(1)->Threads(kAllThreads);
BENCHMARK(BM_DecodeTrainTransform)->UseRealTime()->Threads(1)->Threads(kAllThreads);
BENCHMARK(BM_DecodeEvalTransform)->UseRealTime()->Threads(1)->Threads(kAllThreads);
BENCHMARK(BM_TrainTransformOnly)->UseRealTime();
BENCHMARK(BM_EvalTransformOnly)->UseRealTime();
BENCHMARK(BM_DataLoaderTrainEpoch)->UseRealTime()->Unit(benchmark::kMillisecond)->Arg(1)->Arg(kAllThreads)->Iterations(1);

}  // namespace
}  // namespace idml::data

BENCHMARK_MAIN();
