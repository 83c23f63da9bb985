// Preprocessing and the network's forward pass for the server; see embedder.h.
#include "serve/embedder.h"

#include <cmath>

#include "data/decode.h"
#include "data/sample_random.h"
#include "engine/error.h"
#include "engine/ops.h"
#include "models/trained_net.h"

namespace idml::serve {

ImagePreprocessor::ImagePreprocessor(data::TransformOptions options)
    : options_(options), transform_(options) {}

namespace {

std::vector<float> transformed(const data::EvalTransform& transform, const data::Image& image) {
  const int s = transform.output_size();
  std::vector<float> out(static_cast<size_t>(3) * s * s);
  data::SampleRandom unused(0);  // the eval transform draws nothing
  transform.apply(image, unused, out.data());
  return out;
}

}  // namespace

std::vector<float> ImagePreprocessor::operator()(const std::string& bytes, const std::string& name) const {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  return transformed(transform_, data::decode_image_memory(data, bytes.size(), name));
}

std::vector<float> ImagePreprocessor::from_file(const std::string& path) const {
  return transformed(transform_, data::decode_image_file(path));
}

NetworkEmbedder::NetworkEmbedder(const std::string& checkpoint, Device device, int image_size)
    : NetworkEmbedder(models::load_trained_net(checkpoint, device), device, image_size) {}

NetworkEmbedder::NetworkEmbedder(std::unique_ptr<models::IDMLNet> net, Device device, int image_size)
    : net_(std::move(net)), device_(device), image_size_(image_size) {
  net_->eval();
}

std::vector<ImageEmbedding> NetworkEmbedder::embed(const std::vector<float>& images, int64_t n) {
  const int64_t s = image_size_, d = dim();
  IDML_CHECK(n >= 1 && static_cast<int64_t>(images.size()) == n * 3 * s * s, "serve: ", n, " images of 3 x ", s, " x ",
             s, " need ", n * 3 * s * s, " floats, got ", images.size());
  // The trunk runs on the whole batch; the heads run one image at a time,
  // because the GEMM of a (1, C) input sums in another order than that of an
  // (n, C) one, and an answer must not depend on which queries shared its
  // pass (the trunk's convolutions give the same features at any batch size;
  // tests/serve/test_embedder.cpp checks both). The heads cost little.
  const Tensor features = net_->pooled_features(from_host(images.data(), {n, 3, s, s}, DType::Float32, device_));
  std::vector<ImageEmbedding> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const Tensor f = narrow(features, 0, i, 1);
    const Tensor u = net_->model->uncertainty->forward(f);
    ImageEmbedding& e = out[static_cast<size_t>(i)];
    // The model's own normalisation (models/idml_net.cpp), so that a query
    // equals the row `idml embed` wrote for the same image.
    e.semantic = l2_normalize(net_->model->embedding->forward(f)).to(Device::cpu()).to_vector<float>();
    e.uncertainty = l2_normalize(u).to(Device::cpu()).to_vector<float>();
    const std::vector<float> u_raw = u.to(Device::cpu()).to_vector<float>();
    double sum = 0;
    for (int64_t c = 0; c < d; ++c) sum += double(u_raw[static_cast<size_t>(c)]) * u_raw[static_cast<size_t>(c)];
    e.ambiguity = static_cast<float>(std::sqrt(sum));
  }
  return out;
}

}  // namespace idml::serve
