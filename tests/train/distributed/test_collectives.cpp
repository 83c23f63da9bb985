// The collectives on 2 MPI ranks (run by CTest as `mpirun -np 2`): the
// autograd all_gather forward (rank order) and backward (the rank's own
// slice), and the bucketed gradient sum against a plain sum.
#include <gtest/gtest.h>

#include "engine/distributed/all_gather.h"
#include "engine/ops.h"

namespace idml::distributed {
namespace {

// rows x cols values that name their rank: rank * 100 + row * cols + col.
Tensor rank_values(int rank, int64_t rows, int64_t cols) {
  std::vector<float> v;
  for (int64_t i = 0; i < rows * cols; ++i) v.push_back(static_cast<float>(rank * 100 + i));
  return from_vector(v, {rows, cols});
}

TEST(Collectives, RunOnTwoRanks) {
  EXPECT_EQ(world().size(), 2) << "this test is meant for mpirun -np 2";
  EXPECT_TRUE(world().transport().find("MPI") != std::string::npos) << world().transport();
}

TEST(AllGather, ForwardInRankOrderBackwardIsTheOwnSlice) {
  Communicator& comm = world();
  const int64_t rows = 3, cols = 2, n = comm.size();
  Tensor shard = rank_values(comm.rank(), rows, cols);
  shard.set_requires_grad(true);
  const Tensor gathered = all_gather(shard, comm);
  ASSERT_EQ(gathered.shape(), (Shape{rows * n, cols}));
  const std::vector<float> all = gathered.to_vector<float>();
  for (int r = 0; r < n; ++r) EXPECT_EQ(rank_values(r, rows, cols).to_vector<float>(),
                                        std::vector<float>(all.begin() + r * rows * cols,
                                                           all.begin() + (r + 1) * rows * cols));
  // L = sum(w * gathered) with w[i] = i: dL/dshard = w's rows of this rank.
  std::vector<float> w(all.size());
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i);
  sum(mul(gathered, from_vector(w, gathered.shape()))).backward();
  const std::vector<float> expected(w.begin() + comm.rank() * rows * cols, w.begin() + (comm.rank() + 1) * rows * cols);
  EXPECT_EQ(shard.grad().to_vector<float>(), expected);
}

TEST(SumGradients, BucketsEqualAPlainSum) {
  Communicator& comm = world();
  const std::vector<Shape> shapes = {{5, 3}, {7}, {2, 2, 2}, {300}, {1}};
  std::vector<Tensor> params;
  for (size_t i = 0; i < shapes.size(); ++i) {
    Tensor p = zeros(shapes[i]);
    p.set_requires_grad(true);
    const Tensor g = rank_values(comm.rank() + static_cast<int>(i), 1, shape_numel(shapes[i])).reshape(shapes[i]);
    if (i != 1) p.set_grad(g);  // a parameter without a gradient is skipped
    params.push_back(p);
  }
  const size_t collectives = sum_gradients(params, comm, /*bucket_bytes=*/256);
  EXPECT_GT(collectives, 1u) << "256-byte buckets split these gradients";
  EXPECT_LT(collectives, 4u) << "small gradients share a bucket";
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (i == 1) {
      EXPECT_FALSE(params[i].grad().defined());
      continue;
    }
    std::vector<float> plain(static_cast<size_t>(shape_numel(shapes[i])), 0.0f);
    for (int r = 0; r < comm.size(); ++r) {
      const std::vector<float> v = rank_values(r + static_cast<int>(i), 1, shape_numel(shapes[i])).to_vector<float>();
      for (size_t k = 0; k < v.size(); ++k) plain[k] += v[k];
    }
    EXPECT_EQ(params[i].grad().to_vector<float>(), plain) << "gradient " << i;
  }
  // One bucket for all: the same sums.
  for (size_t i = 0; i < shapes.size(); ++i)
    if (i != 1) params[i].set_grad(rank_values(comm.rank(), 1, shape_numel(shapes[i])).reshape(shapes[i]));
  EXPECT_EQ(sum_gradients(params, comm), 1u);
}

}  // namespace
}  // namespace idml::distributed
