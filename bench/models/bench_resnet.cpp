// ResNet forward and forward+backward throughput, images/s, for the
// side-by-side with PyTorch (bench_resnet_torch.py runs the same protocol):
//   forward:          eval mode, no grad
//   forward+backward: train mode (BN batch statistics), loss = sum(logits)
// Usage: bench_resnet [--model resnet50] [--batch 8] [--size 224] [--iters 3] [--device cpu|cuda]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/ops.h"
#include "models/resnet.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_name = "resnet50", device_name = "cpu";
  int64_t batch = 8, size = 224, iters = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model") model_name = value;
    else if (flag == "--batch") batch = std::stoll(value);
    else if (flag == "--size") size = std::stoll(value);
    else if (flag == "--iters") iters = std::stoll(value);
    else if (flag == "--device") device_name = value;
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  try {
    const idml::Device device = idml::parse_device(device_name);
    idml::Generator gen(0);
    auto model = idml::models::make_resnet(model_name, gen);
    model->to(device);
    const idml::Tensor x = idml::randn({batch, 3, size, size}, gen).to(device);

    model->eval();
    double forward_seconds = 0.0;
    {
      const idml::ConstantParameters constants;  // as eval does: each BN folded once
      for (int64_t i = 0; i <= iters; ++i) {    // iteration 0 warms up (and folds)
        const auto start = std::chrono::steady_clock::now();
        idml::NoGradGuard no_grad;
        model->forward(x).to_vector<float>();  // copy back: waits for the device
        if (i > 0) forward_seconds += seconds_since(start);
      }
    }

    model->train();
    double train_seconds = 0.0;
    for (int64_t i = 0; i <= iters; ++i) {
      const auto start = std::chrono::steady_clock::now();
      for (const idml::Tensor& p : model->parameters()) p.zero_grad();
      idml::sum(model->forward(x)).backward();
      model->conv1->weight.grad().to_vector<float>();
      if (i > 0) train_seconds += seconds_since(start);
    }
    const double images = static_cast<double>(batch * iters);
    std::printf("idml %s batch %lld %lldx%lld on %s: forward %.2f images/s, forward+backward %.2f images/s\n",
                model_name.c_str(), static_cast<long long>(batch), static_cast<long long>(size),
                static_cast<long long>(size), device.str().c_str(), images / forward_seconds, images / train_seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_resnet: %s\n", e.what());
    return 1;
  }
  return 0;
}
