// Bounds the sizes a MATLAB v5/v7 file declares before matio reads it: matio
// allocates what the array headers say (a struct's field table, a numeric
// array's data) before it reads the bytes, so a 600-byte file could make it
// allocate gigabytes (fuzz_cars_mat).
#pragma once

#include <cstddef>
#include <string>

namespace idml::data {

// Inflated size of one zlib-compressed (v7) variable that is walked; the real
// cars_annos.mat `annotations` is about 8 MB inflated.
constexpr size_t kMaxMatVariableBytes = size_t{256} << 20;

// Walks every top-level variable of the MATLAB v5/v7 file `path` (v7's
// compressed variables inflated up to kMaxMatVariableBytes) and throws
// idml::Error, naming the file and the variable (e.g. annotations(3).class),
// when an array declares more elements than its bytes in the file can hold:
// every element of a numeric or char array takes at least one byte, every
// cell or struct field at least an 8-byte tag. Refuses v4 and v7.3 (HDF5) files.
void check_mat_sizes(const std::string& path);

}  // namespace idml::data
