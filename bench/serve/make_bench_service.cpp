// Writes a synthetic service for `idml serve`'s benchmark into OUT_DIR:
//   model.safetensors   an IDML network with random weights (the cost of a
//                       forward pass does not depend on the values)
//   index.npy           ROWS random unit rows of D floats, index_paths.txt
//                       their made-up paths (1,000 class folders; no files:
//                       thumbnails of them are 404s), index_index.json its
//                       record (the model above, 224 px), and with
//                       --index hnsw an HNSW graph (index_hnsw.bin)
//   queries/qNN.jpg     query photos, W x H JPEGs of gradients and noise
//   bench_serve_setup OUT_DIR [--model resnet50] [--embedding-size 512] [--rows 100000]
//                             [--queries 16] [--width 640] [--height 480] [--index exact|hnsw]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "bench/train/random_rows.h"
#include "io/atomic_file.h"
#include "train/checkpoint.h"
#include "train/losses/proxy_anchor.h"
#include "train/report/html.h"
#include "train/search/index_weights.h"
#include "train/search/index_writer.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc % 2 != 0) {
    std::fprintf(stderr, "usage: %s OUT_DIR [--model M] [--embedding-size D] [--rows N] [--queries Q] [--width W] [--height H] [--index exact|hnsw]\n",
                 argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  std::string model = "resnet50", kind = "exact";
  int64_t dim = 512, rows = 100000, queries = 16, width = 640, height = 480;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") model = value;
    else if (flag == "--embedding-size") dim = std::stoll(value);
    else if (flag == "--rows") rows = std::stoll(value);
    else if (flag == "--queries") queries = std::stoll(value);
    else if (flag == "--width") width = std::stoll(value);
    else if (flag == "--height") height = std::stoll(value);
    else if (flag == "--index" && (value == "exact" || value == "hnsw")) kind = value;
    else {
      std::fprintf(stderr, "unknown flag or value: %s %s\n", flag.c_str(), value.c_str());
      return 2;
    }
  }
  std::filesystem::create_directories(out / "queries");

  idml::models::IDMLNetConfig config;
  config.backbone = model;
  config.embedding_size = dim;
  idml::Generator gen(0);
  idml::models::IDMLNet net(config, gen);
  idml::train::ProxyAnchor loss(100, dim, {}, gen);
  idml::train::save_model_checkpoint((out / "model.safetensors").string(), net, loss, 0, nlohmann::json::object(),
                                     nlohmann::json::object());

  const std::vector<float> index = idml::bench::random_unit_rows(rows, dim);
  std::vector<std::string> paths;
  char line[64];
  for (int64_t r = 0; r < rows; ++r) {
    std::snprintf(line, sizeof line, "synthetic/class_%04lld/%06lld.jpg", static_cast<long long>(r % 1000),
                  static_cast<long long>(r));
    paths.push_back(line);
  }
  idml::search::IndexContents contents;
  contents.semantic = index.data();
  contents.count = rows;
  contents.dim = dim;
  contents.paths = &paths;
  contents.weights =
      idml::search::load_checkpoint_net((out / "model.safetensors").string(), idml::models::EmbeddingNorm::l2,
                                        idml::Device::cpu()).weights;
  idml::search::IndexWriteOptions options;
  options.kind = kind == "hnsw" ? idml::search::IndexKind::hnsw : idml::search::IndexKind::exact;
  idml::search::write_index((out / "index").string(), contents, options);

  std::mt19937 random(1);
  for (int64_t q = 0; q < queries; ++q) {
    idml::data::Image photo(static_cast<int>(height), static_cast<int>(width));
    for (int y = 0; y < photo.height; ++y)
      for (int x = 0; x < photo.width; ++x)
        for (int c = 0; c < 3; ++c)
          photo.row(y)[x * 3 + c] =
              static_cast<uint8_t>((x * (c + 1) + y * (q + 1)) / 4 % 200 + static_cast<int>(random() % 56));
    const std::vector<uint8_t> jpeg = idml::report::encode_jpeg(photo, 90);
    std::snprintf(line, sizeof line, "q%02lld.jpg", static_cast<long long>(q));
    idml::io::write_file_atomically((out / "queries" / line).string(), std::string(jpeg.begin(), jpeg.end()));
  }
  std::printf("wrote %s: %s (D = %lld, random weights), %s index of %lld rows, %lld query photos of %lld x %lld\n",
              out.string().c_str(), model.c_str(), static_cast<long long>(dim), kind.c_str(), static_cast<long long>(rows),
              static_cast<long long>(queries), static_cast<long long>(width), static_cast<long long>(height));
  return 0;
}
