// `idml embed`: embeddings of any images (eval transform) as an index for
// `idml search` and `idml serve` (train/search/index_writer.h):
//   PREFIX.npy              semantic embeddings, (N, D) float32
//   PREFIX_uncertainty.npy  uncertainty embeddings, (N, D) float32
//   PREFIX_paths.txt        the image of each row, in row order
//   PREFIX_hnsw.bin         with --index hnsw: the HNSW graph (hnswlib's format)
//   PREFIX_index.json       how it was made: weights (SHA-256), preprocessing, checksums
// Images: a directory (read recursively, sorted) or a text file with one path per line.
#include <chrono>
#include <cstdio>

#include "train/cli/commands.h"
#include "train/cli/image_list.h"
#include "train/cli/options.h"
#include "train/evaluation.h"
#include "train/search/index_weights.h"
#include "train/search/index_writer.h"

namespace idml::cli {

namespace {

struct EmbedArguments {
  std::string checkpoint, pretrained, model = "resnet50", images, out;
  DeviceChoice device;
  InferencePrecision precision = InferencePrecision::Float32;
  int64_t embedding_size = 512, batch_size = 64;
  int image_size = 224, resize_size = 256, workers = 4;
  bool l2_norm = true;
  uint64_t seed = 0;
  std::string index = "exact";
  search::HnswBuildOptions hnsw;
};

}  // namespace

void add_embed_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("embed", "Write the embeddings of images as .npy files");
  auto a = std::make_shared<EmbedArguments>();
  auto* source = cmd->add_option_group("weights", "where the weights come from");
  source->add_option("--checkpoint", a->checkpoint, "a trained IDML model (.safetensors or .pth)");
  source->add_option("--pretrained", a->pretrained, "an ImageNet backbone; heads initialised from --seed");
  source->require_option(1);
  cmd->add_option("--model", a->model, "backbone with --pretrained")->capture_default_str();
  cmd->add_option("--embedding-size", a->embedding_size, "D with --pretrained")->capture_default_str();
  cmd->add_option("--images", a->images, "a directory (recursive, sorted) or a file listing paths")->required();
  cmd->add_option("--out", a->out, "output prefix")->required();
  cmd->add_option("--image-size", a->image_size, "centre crop size")->capture_default_str()->check(CLI::Range(1, 2048));
  cmd->add_option("--resize-size", a->resize_size, "shorter side before the crop")->capture_default_str()->check(CLI::Range(1, 2048));
  cmd->add_option("--batch-size", a->batch_size, "images per forward pass")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--workers", a->workers, "decoding threads")->capture_default_str();
  cmd->add_option("--l2-norm", a->l2_norm, "1: l2-normalise the embeddings")->capture_default_str();
  a->device.add_to(*cmd);
  add_choice_option(*cmd, "--precision", a->precision, "inference convolutions: fp32, or bf16 on CPUs with AVX512-BF16 or AMX (float32 sums)");
  cmd->add_option("--seed", a->seed, "initialisation of the heads with --pretrained")->capture_default_str();
  cmd->add_option("--index", a->index, "exact, or hnsw: also build an HNSW graph for approximate search")
      ->capture_default_str()->check(CLI::IsMember({"exact", "hnsw"}));
  cmd->add_option("--hnsw-m", a->hnsw.m, "HNSW: links per node (2M on the bottom level)")->capture_default_str()
      ->check(CLI::Range(2, 10000));
  cmd->add_option("--hnsw-ef-construction", a->hnsw.ef_construction, "HNSW: candidate list while building")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  cmd->add_option("--hnsw-seed", a->hnsw.seed, "HNSW: seed of the level generator (the build is deterministic)")
      ->capture_default_str();
  cmd->callback([a, &exit_code] {
    const Device device = a->device.resolve();
    const ReducedPrecisionInference precision(a->precision, device);
    search::prepare_index_prefix(a->out, "--out");  // an unwritable --out is found now, not after computing everything
    const std::vector<std::string> paths = list_images(a->images, "--images");  // cheap checks first
    const models::EmbeddingNorm norm = a->l2_norm ? models::EmbeddingNorm::l2 : models::EmbeddingNorm::none;
    search::LoadedNet loaded =
        a->checkpoint.empty()
            ? search::load_pretrained_net(a->pretrained, a->model, a->embedding_size, a->seed, norm, device)
            : search::load_checkpoint_net(a->checkpoint, norm, device);
    if (!loaded.summary.empty()) std::fprintf(stderr, "%s\n", loaded.summary.c_str());

    search::IndexContents contents;
    contents.weights = loaded.weights;
    contents.preprocessing.image_size = a->image_size;
    contents.preprocessing.resize_size = a->resize_size;
    contents.preprocessing.precision = a->precision;
    const data::ImageFileDataset dataset(paths, std::vector<int64_t>(paths.size(), 0));
    const train::Embeddings e =
        train::compute_embeddings(*loaded.net, dataset, data::EvalTransform(contents.preprocessing.transform_options()),
                                  {a->batch_size, a->workers, device});
    contents.semantic = e.semantic.data();
    contents.uncertainty = e.uncertainty.data();
    contents.count = e.count;
    contents.dim = e.dim;
    contents.paths = &paths;
    search::IndexWriteOptions options;
    options.kind = a->index == "hnsw" ? search::IndexKind::hnsw : search::IndexKind::exact;
    options.hnsw = a->hnsw;
    const auto start = std::chrono::steady_clock::now();
    if (options.kind == search::IndexKind::hnsw)
      options.hnsw.on_progress = [tenths = int64_t(0)](int64_t done, int64_t total) mutable {
        if (done * 10 / total == tenths) return;  // a line every 10%
        tenths = done * 10 / total;
        std::fprintf(stderr, "HNSW: %lld of %lld rows inserted\n", static_cast<long long>(done),
                     static_cast<long long>(total));
      };
    search::write_index(a->out, contents, options);
    const search::IndexFiles files = search::index_files(a->out);
    std::printf("embedded %lld images (D = %lld, %s) -> %s, %s, %s, %s\n", static_cast<long long>(e.count),
                static_cast<long long>(e.dim), train::choice_name(a->precision).c_str(), files.embeddings.c_str(),
                files.uncertainty.c_str(), files.paths.c_str(), files.record.c_str());
    if (options.kind == search::IndexKind::hnsw)
      std::printf("HNSW index (M = %lld, ef_construction = %lld, seed %llu) -> %s; index written in %.1f s\n",
                  static_cast<long long>(a->hnsw.m), static_cast<long long>(a->hnsw.ef_construction),
                  static_cast<unsigned long long>(a->hnsw.seed), files.hnsw.c_str(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    exit_code = 0;
  });
}

}  // namespace idml::cli
