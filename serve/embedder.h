// The model side of `idml serve`: an encoded image -> the network's input
// (decoded, resized and centre-cropped as `idml embed` does), and a batch of
// inputs -> each image's semantic and uncertainty embeddings, L2-normalised,
// with its ambiguity: the norm of the uncertainty embedding before
// normalisation (docs/METHOD.md#2-model: u = W_u f + b_u).
// Not here: batching requests (batcher.h), HTTP.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/transforms.h"
#include "engine/device.h"
#include "models/idml_net.h"

namespace idml::serve {

struct ImageEmbedding {
  std::vector<float> semantic;     // (D), unit length: what the index is searched with
  std::vector<float> uncertainty;  // (D), unit length
  float ambiguity = 0;             // |u| before normalisation
};

// Decodes an encoded image (JPEG or PNG) under the process's image-bomb guard
// (data/decode.h) and applies the eval transform: (3, S, S) floats. A body
// that is not a decodable image throws idml::Error naming `name`.
class ImagePreprocessor {
 public:
  explicit ImagePreprocessor(data::TransformOptions options);
  std::vector<float> operator()(const std::string& bytes, const std::string& name) const;
  std::vector<float> from_file(const std::string& path) const;
  int image_size() const { return transform_.output_size(); }
  const data::TransformOptions& options() const { return options_; }

 private:
  data::TransformOptions options_;
  data::EvalTransform transform_;
};

// What the batcher runs; an interface so that the batcher's tests can count
// and hold its calls.
class Embedder {
 public:
  virtual ~Embedder() = default;
  virtual int64_t dim() const = 0;
  // images: n inputs of 3 * S * S floats, one after the other. Called by one
  // thread at a time.
  virtual std::vector<ImageEmbedding> embed(const std::vector<float>& images, int64_t n) = 0;
};

// The trained network of a checkpoint.
class NetworkEmbedder : public Embedder {
 public:
  // Loads `checkpoint` (ours or the reference's .pth) onto `device`; errors name the file.
  NetworkEmbedder(const std::string& checkpoint, Device device, int image_size);
  // A network already loaded onto `device` (e.g. the one an index record names).
  NetworkEmbedder(std::unique_ptr<models::IDMLNet> net, Device device, int image_size);
  int64_t dim() const override { return net_->config().embedding_size; }
  std::vector<ImageEmbedding> embed(const std::vector<float>& images, int64_t n) override;
  const std::string& backbone() const { return net_->config().backbone; }
  Device device() const { return device_; }

 private:
  std::unique_ptr<models::IDMLNet> net_;
  Device device_;
  int image_size_;
};

}  // namespace idml::serve
