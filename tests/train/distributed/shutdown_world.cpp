// Linked into the multi-rank test programs: tears the communicator down
// (NCCL, then MPI_Finalize) when the tests end, as main() does in `idml`.
#include <gtest/gtest.h>

#include "engine/distributed/communicator.h"

namespace {

class ShutdownWorld : public ::testing::Environment {
 public:
  void TearDown() override { idml::distributed::shutdown_world(); }
};

const auto* const registered = ::testing::AddGlobalTestEnvironment(new ShutdownWorld);

}  // namespace
