// The GPU of each rank (local rank % visible GPUs) and the device errors.
#include <gtest/gtest.h>

#include "engine/accelerator.h"
#include "engine/error.h"
#include "train/run_setup.h"

namespace idml::train {
namespace {

TEST(GpuForLocalRank, EveryGpuVisibleToEveryRank) {
  // mpirun -np 4 on a machine of 4 GPUs: local rank k takes cuda:k.
  for (int rank = 0; rank < 4; ++rank) EXPECT_EQ(gpu_for_local_rank(rank, 4), rank);
}

TEST(GpuForLocalRank, OneVisibleGpuPerRank) {
  // srun --gpus-per-task=1, or CUDA_VISIBLE_DEVICES per rank: each rank sees one device, its cuda:0.
  for (int rank = 0; rank < 8; ++rank) EXPECT_EQ(gpu_for_local_rank(rank, 1), 0);
}

TEST(GpuForLocalRank, MoreRanksThanGpusWrapAround) {
  EXPECT_EQ(gpu_for_local_rank(5, 4), 1);
  EXPECT_EQ(gpu_for_local_rank(3, 2), 1);
}

TEST(GpuForLocalRank, NoVisibleGpuIsAnErrorNamingTheRank) {
  try {
    gpu_for_local_rank(1, 0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("local rank 1 sees no CUDA device"), std::string::npos) << e.what();
  }
}

TEST(ResolveDevice, NoGpuKeepsTheRuntimesReason) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present";
  try {
    resolve_device("cuda", 0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("no CUDA device is available (" + cuda_unavailable_reason() + ")"), std::string::npos)
        << message;
  }
}

}  // namespace
}  // namespace idml::train
