// PyramidNet construction (pyramidal_make_layer of the authors' code) and forward.
#include "models/pyramidnet.h"

#include <cmath>

#include "engine/ops.h"
#include "nn/init.h"

namespace idml::models {

namespace {

// Python 3's round(): half to even (std::nearbyint in the default rounding mode).
int64_t python_round(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

}  // namespace

Tensor avg_pool2x2(const Tensor& x) {
  IDML_CHECK(x.dim() == 4 && x.size(2) % 2 == 0 && x.size(3) % 2 == 0,
             "avg_pool2x2: input must be (N, C, H, W) with even H and W, got ", x.str());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  // Columns: even + odd columns, picked as rows of the transposed (W, N C H) matrix.
  const Tensor columns = transpose(x.reshape({n * c * h, w}));
  std::vector<int64_t> even_index, odd_index;
  for (int64_t j = 0; j < w / 2; ++j) {
    even_index.push_back(2 * j);
    odd_index.push_back(2 * j + 1);
  }
  const Tensor pairs = add(index_select(columns, from_vector(even_index, {w / 2}, x.device())),
                           index_select(columns, from_vector(odd_index, {w / 2}, x.device())));
  // Rows: row 2k and row 2k + 1 of each map sit side by side after this reshape.
  const Tensor rows = transpose(pairs).reshape({n * c * h / 2, w});
  const Tensor sum = add(narrow(rows, 1, 0, w / 2), narrow(rows, 1, w / 2, w / 2));
  return mul_scalar(sum, 0.25).reshape({n, c, h / 2, w / 2});
}

PyramidBlock::PyramidBlock(int64_t inplanes, int64_t planes, int64_t stride, PyramidBlockKind kind, nn::ParameterInit init)
    : stride_(stride), kind_(kind) {
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(inplanes));
  if (kind == PyramidBlockKind::bottleneck) {
    conv1 = register_module("conv1", nn::same_padded_conv(inplanes, planes, 1, 1, init));
    bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
    conv2 = register_module("conv2", nn::same_padded_conv(planes, planes, 3, stride, init));
    bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes));
    conv3 = register_module("conv3", nn::same_padded_conv(planes, planes * 4, 1, 1, init));
    bn4 = register_module("bn4", std::make_shared<nn::BatchNorm2d>(planes * 4));
  } else {
    conv1 = register_module("conv1", nn::same_padded_conv(inplanes, planes, 3, stride, init));
    bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(planes));
    conv2 = register_module("conv2", nn::same_padded_conv(planes, planes, 3, 1, init));
    bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(planes));
  }
}

Tensor PyramidBlock::forward(const Tensor& x) {
  Tensor out = conv1->forward(bn1->forward(x));
  out = conv2->forward(relu(bn2->forward(out)));
  out = bn3->forward(out);
  if (kind_ == PyramidBlockKind::bottleneck) out = bn4->forward(conv3->forward(relu(out)));
  Tensor shortcut = stride_ == 1 ? x : avg_pool2x2(x);
  const int64_t missing = out.size(1) - shortcut.size(1);
  if (missing > 0)
    shortcut = concat({shortcut, zeros({out.size(0), missing, out.size(2), out.size(3)}, out.dtype(), out.device())}, 1);
  return add(out, shortcut);
}

PyramidNet::PyramidNet(const PyramidNetConfig& config, nn::ParameterInit init)
    : block_(config.bottleneck ? PyramidBlockKind::bottleneck : PyramidBlockKind::basic) {
  const int64_t per_block = config.bottleneck ? 9 : 6;
  IDML_CHECK(config.depth >= per_block + 2 && (config.depth - 2) % per_block == 0, "PyramidNet: --depth ",
             config.depth, " must be ", per_block, " n + 2 for ", config.bottleneck ? "bottleneck" : "basic",
             " blocks (e.g. ", per_block * 22 + 2, ")");
  const int64_t n = (config.depth - 2) / per_block;
  addrate_ = config.alpha / (3.0 * static_cast<double>(n));
  conv1 = register_module("conv1", nn::same_padded_conv(3, 16, 3, 1, init));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(16));
  layer1 = register_module("layer1", make_layer(n, 1, init));
  layer2 = register_module("layer2", make_layer(n, 2, init));
  layer3 = register_module("layer3", make_layer(n, 2, init));
  bn_final = register_module("bn_final", std::make_shared<nn::BatchNorm2d>(input_featuremap_dim_));
  fc = register_module("fc", std::make_shared<nn::Linear>(input_featuremap_dim_, config.num_classes, init));
  uncertainty = register_module("uncertainty",
                                std::make_shared<nn::Linear>(input_featuremap_dim_, config.uncertainty_size, init));
  for (auto& [name, module] : named_modules())
    if (auto* c = dynamic_cast<nn::Conv2d*>(module)) nn::init::kaiming_normal_(c->weight, init, nn::init::FanMode::FanOut);
}

std::shared_ptr<nn::Sequential> PyramidNet::make_layer(int64_t blocks, int64_t stride, nn::ParameterInit init) {
  const int64_t expansion = block_ == PyramidBlockKind::bottleneck ? 4 : 1;
  auto layer = std::make_shared<nn::Sequential>();
  featuremap_dim_ += addrate_;
  layer->push_back(std::make_shared<PyramidBlock>(input_featuremap_dim_, python_round(featuremap_dim_), stride,
                                                  block_, init));
  for (int64_t i = 1; i < blocks; ++i) {
    const double next_dim = featuremap_dim_ + addrate_;
    layer->push_back(std::make_shared<PyramidBlock>(python_round(featuremap_dim_) * expansion,
                                                    python_round(next_dim), 1, block_, init));
    featuremap_dim_ = next_dim;
  }
  input_featuremap_dim_ = python_round(featuremap_dim_) * expansion;
  return layer;
}

ClassifierOutput PyramidNet::classify(const Tensor& x, Uncertainty uncertainty_wanted) {
  IDML_CHECK(x.dim() == 4 && x.size(1) == 3, "PyramidNet: input must be (N, 3, H, W), got ", x.str());
  Tensor y = bn1->forward(conv1->forward(x));
  y = layer3->forward(layer2->forward(layer1->forward(y)));
  y = relu(bn_final->forward(y));
  ClassifierOutput out;
  // The authors' AvgPool2d(8) on the 8x8 map of a 32x32 input: the global average.
  out.features = adaptive_avg_pool2d_1x1(y).reshape({y.size(0), y.size(1)});
  out.logits = fc->forward(out.features);
  if (uncertainty_wanted == Uncertainty::compute) out.uncertainty = relu(uncertainty->forward(out.features));
  return out;
}

}  // namespace idml::models
