// Loading the network an index records, checked by SHA-256 (see the header).
#include "train/search/index_weights.h"

#include <filesystem>

#include "engine/error.h"
#include "engine/generator.h"
#include "models/pretrained.h"
#include "models/sha256.h"
#include "models/trained_net.h"

namespace idml::search {
namespace {

std::string absolute(const std::string& file) {
  return file == "none" ? file : std::filesystem::absolute(file).lexically_normal().string();
}

// "the checkpoint /runs/a.safetensors" or "the ImageNet backbone /w/resnet50.pth with heads from seed 0"
std::string describe(const WeightsRecord& w) {
  if (w.source == WeightsSource::checkpoint) return "the checkpoint " + w.path;
  return "the ImageNet backbone " + w.path + " (--pretrained) with heads from --seed " + std::to_string(w.seed);
}

}  // namespace

LoadedNet load_checkpoint_net(const std::string& file, models::EmbeddingNorm norm, Device device) {
  LoadedNet loaded;
  loaded.net = models::load_trained_net(file, device, norm);
  loaded.weights.source = WeightsSource::checkpoint;
  loaded.weights.path = absolute(file);
  loaded.weights.sha256 = models::sha256_of_file(file);
  loaded.weights.model = loaded.net->config().backbone;
  loaded.weights.embedding_size = loaded.net->config().embedding_size;
  loaded.weights.l2_norm = norm == models::EmbeddingNorm::l2;
  return loaded;
}

LoadedNet load_pretrained_net(const std::string& file, const std::string& model, int64_t embedding_size, uint64_t seed,
                              models::EmbeddingNorm norm, Device device) {
  models::IDMLNetConfig config;
  config.l2_norm = norm == models::EmbeddingNorm::l2;
  config.backbone = model;
  config.embedding_size = embedding_size;
  Generator gen(seed);
  LoadedNet loaded;
  loaded.net = std::make_unique<models::IDMLNet>(config, gen);
  const models::PretrainedReport report = models::load_pretrained_backbone(*loaded.net->model, file);
  loaded.net->to(device);
  loaded.summary = report.summary();
  loaded.weights.source = WeightsSource::pretrained;
  loaded.weights.path = absolute(file);
  loaded.weights.sha256 = report.sha256;  // "" for none
  loaded.weights.model = model;
  loaded.weights.embedding_size = embedding_size;
  loaded.weights.seed = seed;
  loaded.weights.l2_norm = norm == models::EmbeddingNorm::l2;
  return loaded;
}

LoadedNet load_index_net(const IndexRecord& record, const std::string& prefix, const std::string& checkpoint,
                         Device device) {
  const WeightsRecord& w = record.weights;
  const std::string record_file = index_files(prefix).record;
  std::string file = checkpoint;
  if (w.path == "none") {  // --pretrained none: nothing to check, the heads come from the seed
    IDML_CHECK(checkpoint.empty(), "--checkpoint ", checkpoint, ": --index ", prefix, " was embedded by ", describe(w),
               " (", record_file, "), not by a checkpoint");
  } else if (checkpoint.empty()) {
    file = w.path;
    IDML_CHECK(std::filesystem::exists(file), "--index ", prefix, " was embedded by ", describe(w), " (", record_file,
               "), which does not exist here: pass --checkpoint with that file (sha256 ", w.sha256, ")");
    const std::string now = models::sha256_of_file(file);
    IDML_CHECK(now == w.sha256, w.path, " has changed since it embedded --index ", prefix, ": its sha256 is ", now,
               ", ", record_file, " records ", w.sha256,
               "; pass --checkpoint with the file that embedded the index, or re-run `idml embed`");
  } else {
    const std::string given = models::sha256_of_file(checkpoint);
    IDML_CHECK(given == w.sha256, "--checkpoint ", checkpoint, " (sha256 ", given, ") is not the model that embedded --index ",
               prefix, ": ", record_file, " records ", describe(w), " (sha256 ", w.sha256,
               "); search with that file, or re-run `idml embed` with this one");
  }
  const models::EmbeddingNorm norm = w.l2_norm ? models::EmbeddingNorm::l2 : models::EmbeddingNorm::none;
  LoadedNet loaded;
  if (w.source == WeightsSource::checkpoint) {  // hashed above: load only
    loaded.net = models::load_trained_net(file, device, norm);
    loaded.weights = w;
    loaded.weights.path = absolute(file);
  } else {
    loaded = load_pretrained_net(file, w.model, w.embedding_size, w.seed, norm, device);
  }
  const models::IDMLNetConfig& config = loaded.net->config();
  IDML_CHECK(config.embedding_size == record.dim && config.backbone == w.model, file, " builds a ", config.backbone,
             " with D = ", config.embedding_size, " but ", record_file, " records a ", w.model, " with D = ", record.dim);
  return loaded;
}

}  // namespace idml::search
