// `idml embed`: embeddings of any images (eval transform) as .npy files:
//   PREFIX.npy              semantic embeddings, (N, D) float32
//   PREFIX_uncertainty.npy  uncertainty embeddings, (N, D) float32
//   PREFIX_paths.txt        the image of each row, in row order
// Images: a directory (read recursively, sorted) or a text file with one path per line.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "models/pretrained.h"
#include "models/trained_net.h"
#include "train/cli/commands.h"
#include "train/cli/image_list.h"
#include "train/cli/options.h"
#include "train/evaluation.h"
#include "io/npy.h"
#include "io/atomic_file.h"

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
  cmd->callback([a, &exit_code] {
    const ReducedPrecisionInference precision(a->precision, a->device.resolve());
    {  // an unwritable --out is found now, not after computing everything
      const std::string probe = a->out + "_paths.txt.tmp";
      std::FILE* file = std::fopen(probe.c_str(), "w");
      IDML_CHECK(file != nullptr, "--out ", a->out, ": cannot write ", probe, ": ", std::strerror(errno));
      std::fclose(file);
      std::remove(probe.c_str());
    }
    const std::vector<std::string> paths = list_images(a->images, "--images");  // cheap checks first
    std::unique_ptr<models::IDMLNet> net;
    if (!a->checkpoint.empty()) {
      net = models::load_trained_net(a->checkpoint, Device::cpu(),
                                   a->l2_norm ? models::EmbeddingNorm::l2 : models::EmbeddingNorm::none);
    } else {
      models::IDMLNetConfig config;
      config.l2_norm = a->l2_norm;
      config.backbone = a->model;
      config.embedding_size = a->embedding_size;
      Generator gen(a->seed);
      net = std::make_unique<models::IDMLNet>(config, gen);
      std::fprintf(stderr, "%s\n", models::load_pretrained_backbone(*net->model, a->pretrained).summary().c_str());
    }
    const Device device = a->device.resolve();
    net->to(device);

    const data::ImageFileDataset dataset(paths, std::vector<int64_t>(paths.size(), 0));
    data::TransformOptions transform_options;
    transform_options.image_size = a->image_size;
    transform_options.resize_size = a->resize_size;
    const train::Embeddings e = train::compute_embeddings(*net, dataset, data::EvalTransform(transform_options),
                                                          {a->batch_size, a->workers, device});
    npy::write_npy(a->out + ".npy", e.semantic.data(), {e.count, e.dim});
    npy::write_npy(a->out + "_uncertainty.npy", e.uncertainty.data(), {e.count, e.dim});
    std::string listing;
    for (const std::string& p : paths) listing += p + "\n";
    io::write_file_atomically(a->out + "_paths.txt", listing);
    std::printf("embedded %lld images (D = %lld, %s) -> %s.npy, %s_uncertainty.npy, %s_paths.txt\n",
                static_cast<long long>(e.count), static_cast<long long>(e.dim), train::choice_name(a->precision).c_str(),
                a->out.c_str(), a->out.c_str(), a->out.c_str());
    exit_code = 0;
  });
}

}  // namespace idml::cli
