// Shapes are row-major dimension lists; tensors are always contiguous, so
// strides follow from the shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace idml {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[2, 3, 4]"
Shape contiguous_strides(const Shape& shape);

// NumPy broadcasting of two shapes; throws naming `op` when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Maps a possibly negative dim into [0, ndim); throws naming `op` when out of range.
int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op);

}  // namespace idml
