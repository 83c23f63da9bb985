// A small ResNet-like network (stem conv/bn/relu/max-pool, one basic block
// with a strided 1x1 downsample, global pool, linear head, L2-normalised
// embedding) trained for one step on the GPU and on the CPU from the same
// weights: the loss, every parameter gradient, the input gradient and the
// batch-norm running statistics agree. Tolerances, on |cpu value| + rms of
// the tensor: 1e-4 in full FP32, 3e-2 with TF32 convolutions (PyTorch's
// default math; 10-bit mantissas through five convolutions and batch norms).
#include <map>

#include "tests/engine/cuda/cuda_test_util.h"

namespace idml {
namespace {

using namespace cuda_testing;

struct Net {
  std::map<std::string, Tensor> params;   // trainable
  std::map<std::string, Tensor> buffers;  // running statistics

  static Net random(Generator& gen) {
    Net net;
    auto conv = [&](const std::string& name, int64_t oc, int64_t c, int64_t k) {
      net.params[name] = randn({oc, c, k, k}, gen, 0.0, std::sqrt(2.0 / (c * k * k)));
    };
    auto bn = [&](const std::string& name, int64_t c) {
      net.params[name + ".weight"] = add_scalar(randn({c}, gen, 0.0, 0.1), 1.0);
      net.params[name + ".bias"] = randn({c}, gen, 0.0, 0.1);
      net.buffers[name + ".running_mean"] = zeros({c});
      net.buffers[name + ".running_var"] = ones({c});
    };
    conv("conv1", 8, 3, 3);
    bn("bn1", 8);
    conv("block.conv1", 16, 8, 3);
    bn("block.bn1", 16);
    conv("block.conv2", 16, 16, 3);
    bn("block.bn2", 16);
    conv("block.downsample", 16, 8, 1);
    bn("block.downsample_bn", 16);
    net.params["fc.weight"] = randn({10, 16}, gen, 0.0, 0.25);
    net.params["fc.bias"] = randn({10}, gen, 0.0, 0.1);
    return net;
  }

  Net to(Device device) const {
    Net out;
    for (const auto& [k, v] : params) out.params[k] = v.to(device).detach().set_requires_grad(true);
    for (const auto& [k, v] : buffers) out.buffers[k] = v.to(device).detach();
    return out;
  }

  Tensor bn(const Tensor& x, const std::string& name) const {
    return batch_norm(x, params.at(name + ".weight"), params.at(name + ".bias"), buffers.at(name + ".running_mean"),
                      buffers.at(name + ".running_var"), BatchNormMode::training);
  }

  // x (N, 3, H, W) -> embedding (N, 10)
  Tensor forward(const Tensor& x) const {
    Tensor h = relu(bn(conv2d(x, params.at("conv1"), Tensor(), {1, 1, 1}), "bn1"));
    h = max_pool2d(h, {3, 2, 1});
    Tensor branch = relu(bn(conv2d(h, params.at("block.conv1"), Tensor(), {2, 1, 1}), "block.bn1"));
    branch = bn(conv2d(branch, params.at("block.conv2"), Tensor(), {1, 1, 1}), "block.bn2");
    const Tensor shortcut = bn(conv2d(h, params.at("block.downsample"), Tensor(), {2, 0, 1}), "block.downsample_bn");
    h = relu(add(branch, shortcut));
    const int64_t n = h.size(0);
    h = adaptive_avg_pool2d_1x1(h).reshape({n, 16});
    return l2_normalize(linear(h, params.at("fc.weight"), params.at("fc.bias")));
  }
};

class CudaModel : public CudaTest {
 protected:
  void check_training_step(double tol) {
    Generator gen(40);
    const Net cpu_net = Net::random(gen).to(Device::cpu());  // parameters become leaves that require grad
    const Net gpu_net = cpu_net.to(Device::cuda());
    const Tensor x = randn({6, 3, 24, 24}, gen).set_requires_grad(true);
    const Tensor x_gpu = x.detach().to(Device::cuda()).set_requires_grad(true);
    const Tensor target = randn({6, 10}, gen);

    const Tensor loss_cpu = sum(mul(cpu_net.forward(x), target));
    const Tensor emb_gpu = gpu_net.forward(x_gpu);
    ASSERT_TRUE(emb_gpu.device().is_cuda());
    const Tensor loss_gpu = sum(mul(emb_gpu, target.to(Device::cuda())));
    expect_close(loss_gpu, loss_cpu, tol, "loss", Scale::Rms);
    loss_cpu.backward();
    loss_gpu.backward();
    expect_close(x_gpu.grad(), x.grad(), tol, "input gradient", Scale::Rms);
    for (const auto& [name, p] : cpu_net.params) {
      const Tensor g = gpu_net.params.at(name).grad();
      ASSERT_TRUE(g.defined()) << name << " has no gradient on the GPU";
      expect_close(g, p.grad(), tol, "gradient of " + name, Scale::Rms);
    }
    for (const auto& [name, b] : cpu_net.buffers) expect_close(gpu_net.buffers.at(name), b, tol, name, Scale::Rms);
  }
};

TEST_F(CudaModel, ResNetLikeTrainingStepMatchesCpuInFullFp32) { check_training_step(1e-4); }

TEST_F(CudaModel, ResNetLikeTrainingStepMatchesCpuWithTf32Convolutions) {
  cuda::set_math_options({true, false});
  check_training_step(3e-2);
}

}  // namespace
}  // namespace idml
