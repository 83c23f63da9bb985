// The NCCL transport on every visible GPU (nccl.sh runs `mpirun -np <GPUs>`;
// world size 1 with one GPU): all_reduce_sum and all_gather of CUDA tensors
// on each rank's own GPU (its local rank), the autograd all_gather's backward
// and the bucketed gradient sum, all against host arithmetic. Skips without a GPU.
#include <gtest/gtest.h>

#include "engine/backend.h"
#include "engine/distributed/all_gather.h"
#include "engine/ops.h"

namespace idml::distributed {
namespace {

class Nccl : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device";
  }
  Device gpu() const { return Device::cuda(world().local_rank()); }
};

TEST_F(Nccl, TransportIsNccl) { EXPECT_NE(world().transport().find("NCCL"), std::string::npos) << world().transport(); }

TEST_F(Nccl, AllReduceSumsOverRanks) {
  Communicator& comm = world();
  const int n = comm.size();
  const Tensor t = from_vector(std::vector<float>{1.0f * comm.rank(), 2.0f, -3.0f}, {3}).to(gpu());
  comm.all_reduce_sum(t);
  const float ranks_sum = n * (n - 1) / 2.0f;
  EXPECT_EQ(t.to(Device::cpu()).to_vector<float>(), (std::vector<float>{ranks_sum, 2.0f * n, -3.0f * n}));
}

TEST_F(Nccl, AllGatherInRankOrderWithOwnSliceBackward) {
  Communicator& comm = world();
  const int n = comm.size();
  Tensor shard = from_vector(std::vector<float>{10.0f * comm.rank(), 10.0f * comm.rank() + 1}, {1, 2}).to(gpu());
  shard.set_requires_grad(true);
  const Tensor gathered = all_gather(shard, comm);
  ASSERT_EQ(gathered.shape(), (Shape{n, 2}));
  std::vector<float> expected, weights;
  for (int r = 0; r < n; ++r) {
    expected.insert(expected.end(), {10.0f * r, 10.0f * r + 1});
    weights.insert(weights.end(), {float(2 * r), float(2 * r + 1)});
  }
  EXPECT_EQ(gathered.to(Device::cpu()).to_vector<float>(), expected);
  sum(mul(gathered, from_vector(weights, {n, 2}).to(gpu()))).backward();
  EXPECT_EQ(shard.grad().to(Device::cpu()).to_vector<float>(),
            (std::vector<float>{float(2 * comm.rank()), float(2 * comm.rank() + 1)}));
}

TEST_F(Nccl, BucketedGradientSum) {
  Communicator& comm = world();
  const int n = comm.size();
  std::vector<Tensor> params;
  for (int64_t size : {5, 300, 1}) {
    Tensor p = zeros({size}, DType::Float32, gpu());
    p.set_requires_grad(true);
    p.set_grad(full({size}, 1.0 + comm.rank(), DType::Float32, gpu()));
    params.push_back(p);
  }
  sum_gradients(params, comm, /*bucket_bytes=*/64);
  for (const Tensor& p : params)
    for (float v : p.grad().to(Device::cpu()).to_vector<float>()) ASSERT_EQ(v, n * (n + 1) / 2.0f);
}

}  // namespace
}  // namespace idml::distributed
