// The host-side logic of the CUDA backend, run on the CPU (no GPU needed):
// the fallback among a convolution's algorithms when a workspace cannot be
// allocated, the pinned staging ring keeping its position, the transpose
// kernel's grid for any row count, the search order of the CUDA libraries,
// and the reason kept when there is no GPU.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "engine/accelerator.h"
#include "engine/cuda/conv_fallback.h"
#include "engine/cuda/launch_geometry.h"
#include "engine/cuda/library_search.h"
#include "engine/cuda/staging_ring.h"
#include "tests/private_directory.h"

namespace idml::cuda {
namespace {

namespace fs = std::filesystem;

struct Algorithm {
  int id;
  size_t workspace_bytes;
};

// A device with `free_bytes` of room: larger allocations fail as cudaMalloc's do.
struct FakeDevice {
  explicit FakeDevice(size_t room) : free_bytes(room) {}
  size_t free_bytes;
  std::vector<size_t> asked, released;
  void* allocate(size_t bytes) {
    asked.push_back(bytes);
    if (bytes > free_bytes) throw DeviceOutOfMemory("cudaMalloc of " + std::to_string(bytes) + " bytes failed");
    return bytes ? reinterpret_cast<void*>(0x1000) : nullptr;
  }
  void release(void*, size_t bytes) { released.push_back(bytes); }
};

size_t run_on(FakeDevice& device, const std::vector<Algorithm>& ranked, std::vector<int>& ran) {
  return run_first_fitting(
      ranked, [&](size_t bytes) { return device.allocate(bytes); },
      [&](const Algorithm& a, void*) { ran.push_back(a.id); },
      [&](void* p, size_t bytes) { device.release(p, bytes); });
}

TEST(ConvFallback, TakesTheFastestWhenItsWorkspaceFits) {
  FakeDevice device{size_t(1) << 30};
  std::vector<int> ran;
  EXPECT_EQ(run_on(device, {{7, 600 << 20}, {1, 8 << 20}, {0, 0}}, ran), 0u);
  EXPECT_EQ(ran, (std::vector<int>{7}));
  EXPECT_EQ(device.released, (std::vector<size_t>{600 << 20}));
}

TEST(ConvFallback, FallsBackToTheNextCandidateWhenTheWorkspaceCannotBeAllocated) {
  FakeDevice device{16 << 20};  // room for 16 MiB only
  std::vector<int> ran;
  EXPECT_EQ(run_on(device, {{7, 600 << 20}, {5, 100 << 20}, {1, 8 << 20}, {0, 0}}, ran), 2u);
  EXPECT_EQ(ran, (std::vector<int>{1}));
  EXPECT_EQ(device.asked, (std::vector<size_t>{600 << 20, 100 << 20, 8 << 20}));
  EXPECT_EQ(device.released, (std::vector<size_t>{8 << 20}));
}

TEST(ConvFallback, ImplicitGemmNeedsNoWorkspace) {
  FakeDevice device{0};  // a full device: only an algorithm without workspace runs
  std::vector<int> ran;
  EXPECT_EQ(run_on(device, {{7, 600 << 20}, {0, 0}}, ran), 1u);
  EXPECT_EQ(ran, (std::vector<int>{0}));
}

TEST(ConvFallback, NoCandidateFitsIsAnOutOfMemoryErrorNamingTheSizes) {
  FakeDevice device{1024};
  std::vector<int> ran;
  try {
    run_on(device, {{7, 4096}, {1, 2048}}, ran);
    FAIL() << "expected DeviceOutOfMemory";
  } catch (const DeviceOutOfMemory& e) {
    EXPECT_NE(std::string(e.what()).find("4096, 2048 bytes"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(ran.empty());
}

TEST(ConvFallback, OtherErrorsAreNotSwallowedAndTheWorkspaceIsReleased) {
  FakeDevice device{size_t(1) << 30};
  EXPECT_THROW(run_first_fitting(
                   std::vector<Algorithm>{{7, 64}, {0, 0}}, [&](size_t bytes) { return device.allocate(bytes); },
                   [&](const Algorithm&, void*) { throw Error("CUDNN_STATUS_EXECUTION_FAILED"); },
                   [&](void* p, size_t bytes) { device.release(p, bytes); }),
               Error);
  EXPECT_EQ(device.released, (std::vector<size_t>{64}));
}

TEST(StagingRing, KeepsItsPositionFromOneUploadToTheNext) {
  StagingRing ring(4, 100);
  // Two small uploads: chunks 0 and 1 (restarting at 0 made the second wait for the first's copy).
  EXPECT_EQ(ring.take(10).at(0).chunk, 0u);
  EXPECT_EQ(ring.take(10).at(0).chunk, 1u);
  // 250 bytes: three pieces in chunks 2, 3 and, wrapping round, 0.
  const std::vector<StagingRing::Piece> pieces = ring.take(250);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].chunk, 2u);
  EXPECT_EQ(pieces[1].chunk, 3u);
  EXPECT_EQ(pieces[2].chunk, 0u);
  EXPECT_EQ(pieces[1].offset, 100u);
  EXPECT_EQ(pieces[2].offset, 200u);
  EXPECT_EQ(pieces[2].length, 50u);
  EXPECT_TRUE(ring.take(0).empty());
  EXPECT_EQ(ring.take(1).at(0).chunk, 1u);
}

TEST(TransposeGrid, RowsOnGridXForAnyBatch) {
  // PyramidNet's shortcut pooling at batch 256 transposes about 3.2M rows; rows
  // on grid.y stopped at 65535 * 32 = 2,097,120.
  for (int64_t rows : {int64_t(1), int64_t(2097120), int64_t(2097121), int64_t(3211264), int64_t(1) << 33}) {
    const TileGrid g = transpose_grid(rows, 3, 32);
    EXPECT_EQ(g.x, (rows + 31) / 32) << rows;
    EXPECT_LE(g.x, kMaxGridX);
    EXPECT_EQ(g.y, 1);
  }
}

TEST(TransposeGrid, ColumnTilesBeyondGridYAreWalkedByTheKernel) {
  const TileGrid g = transpose_grid(2, int64_t(10) << 20, 32);
  EXPECT_EQ(g.x, 1);
  EXPECT_EQ(g.y, kMaxGridY);
  EXPECT_EQ(g.col_tiles, (int64_t(10) << 20) / 32);
  // The kernel's loop: column tile t = blockIdx.y + k * gridDim.y covers every tile once.
  std::set<int64_t> covered;
  for (int64_t by = 0; by < g.y; ++by)
    for (int64_t t = by; t < g.col_tiles; t += g.y) EXPECT_TRUE(covered.insert(t).second);
  EXPECT_EQ(static_cast<int64_t>(covered.size()), g.col_tiles);
}

// A fake machine: folders under a private directory, an environment table.
struct FakeMachine {
  fs::path root = ::idml::testing::fresh_directory("cuda_library_search");
  std::map<std::string, std::string> env;
  fs::path folder(const std::string& relative) {
    const fs::path p = root / relative;
    fs::create_directories(p);
    return p;
  }
  Environment environment() const {
    return [this](const char* name) -> const char* {
      const auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(CudaLibrarySearch, TheDocumentedOrder) {
  FakeMachine m;
  const fs::path chosen = m.folder("chosen"), home = m.folder("cuda-13/lib64");
  const fs::path venv = m.root / "venv";
  m.folder("venv/bin");
  std::ofstream(venv / "bin/python3") << "#!/bin/sh\n";
  m.folder("venv/lib/python3.12/site-packages/torch");
  const fs::path cudnn = m.folder("venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
  const fs::path cu13 = m.folder("venv/lib/python3.12/site-packages/nvidia/cu13/lib");
  m.folder("numpy-only/bin");
  std::ofstream(m.root / "numpy-only/bin/python3") << "#!/bin/sh\n";
  m.folder("numpy-only/lib/python3.12/site-packages/nvidia/cudnn/lib");  // no torch/: not searched
  m.env["IDML_CUDA_LIBS"] = chosen.string() + ":" + (m.root / "absent").string();
  m.env["CUDA_HOME"] = (m.root / "cuda-13").string();
  m.env["PATH"] = (m.root / "numpy-only/bin").string() + ":" + (venv / "bin").string();

  const std::vector<LibraryFolder> folders = cuda_library_folders(m.environment());
  std::vector<std::string> order;
  for (const LibraryFolder& f : folders)
    if (f.path.rfind(m.root.string(), 0) == 0 || f.path == kLoaderSearch) order.push_back(f.path);
  EXPECT_EQ(order, (std::vector<std::string>{chosen.string(), home.string(), kLoaderSearch, cu13.string(),
                                             cudnn.string()}));
  EXPECT_EQ(folders.front().origin, "IDML_CUDA_LIBS");
  EXPECT_NE(folders.back().origin.find("PyTorch"), std::string::npos) << folders.back().origin;
}

TEST(CudaLibrarySearch, NothingSetStillSearchesTheLoaderOnce) {
  FakeMachine m;
  const std::vector<LibraryFolder> folders = cuda_library_folders(m.environment());
  int loader = 0;
  for (const LibraryFolder& f : folders) loader += f.path == kLoaderSearch;
  EXPECT_EQ(loader, 1);
}

// Without a GPU the reason is the runtime's (or the loader's) own, never a generic line.
TEST(CudaUnavailable, TheReasonIsKept) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "a GPU is present";
  const std::string reason = cuda_unavailable_reason();
  EXPECT_EQ(reason.find("no GPU found or the driver is missing"), std::string::npos) << reason;
#ifdef IDML_WITH_CUDA
  const bool from_runtime = reason.rfind("cudaGetDeviceCount", 0) == 0;
  const bool from_loader = reason.find(" not found in:") != std::string::npos ||
                           reason.find("cannot load the plug-in") != std::string::npos;
  EXPECT_TRUE(from_runtime || from_loader) << reason;
#else
  EXPECT_NE(reason.find("built without the CUDA backend"), std::string::npos) << reason;
#endif
}

}  // namespace
}  // namespace idml::cuda
