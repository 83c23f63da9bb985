// Grid shapes of the 2-D kernels, kept apart from the kernels so that CPU
// tests check them (tests/engine/cuda/test_cuda_host_logic.cpp). CUDA allows
// 2^31 - 1 blocks on grid.x but only 65535 on grid.y and grid.z.
#pragma once

#include <algorithm>
#include <cstdint>

#include "engine/error.h"

namespace idml::cuda {

constexpr int64_t kMaxGridX = 2147483647, kMaxGridY = 65535;

struct TileGrid {
  int64_t row_tiles, col_tiles;  // tiles to cover
  int64_t x, y;                  // grid: x = row_tiles, y = min(col_tiles, kMaxGridY)
};

// transpose2d of a (rows, cols) matrix in tile x tile blocks: row tiles on
// grid.x (any count a tensor can have), column tiles on grid.y, which the
// kernel walks in steps of grid.y when there are more than 65535. (Rows on
// grid.y capped a transpose at 65535 * 32 = 2,097,120 rows: PyramidNet's
// shortcut pooling threw above batch ~170 per GPU.)
inline TileGrid transpose_grid(int64_t rows, int64_t cols, int64_t tile) {
  TileGrid g;
  g.row_tiles = (rows + tile - 1) / tile;
  g.col_tiles = (cols + tile - 1) / tile;
  IDML_CHECK(g.row_tiles <= kMaxGridX, "transpose (CUDA): ", rows, " rows exceed the grid limit");
  g.x = std::max<int64_t>(g.row_tiles, 1);
  g.y = std::clamp<int64_t>(g.col_tiles, 1, kMaxGridY);
  return g;
}

}  // namespace idml::cuda
