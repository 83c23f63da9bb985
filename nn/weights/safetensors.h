// safetensors files (https://github.com/huggingface/safetensors): an 8-byte
// little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"key": "value"}}
// then the data section; offsets are relative to its start, tensors are
// contiguous row-major little-endian.
// Read: F32, F16, BF16 (to Float32), F64 (to Float64 in load_safetensors,
// to Float32 in load_weights) and I64, I32, I16, I8, U8, BOOL (to Int64).
// Write: Float32 as F32, Float64 as F64, Int64 as I64, exactly. The write is
// atomic (io/atomic_file.h).
// The header is validated before any tensor is built: a bad file is an error
// naming the file and the problem, never a partial result.
#pragma once

#include <map>
#include <string>

#include "io/raw_tensor.h"
#include "nn/weights/state_dict.h"

namespace idml::weights {

using Metadata = std::map<std::string, std::string>;

// Largest header accepted (the reference implementation's bound).
constexpr uint64_t kSafetensorsMaxHeader = 100'000'000;

struct SafetensorsContents {
  std::map<std::string, io::RawTensor> tensors;
  Metadata metadata;
};

// Parses and validates the header of an in-memory file; tensors view `file`.
SafetensorsContents parse_safetensors(const std::shared_ptr<const io::Bytes>& file, const std::string& path);

StateDict load_safetensors(const std::string& path, Metadata* metadata = nullptr);

// Writes atomically (io/atomic_file.h: `<path>.<pid>.tmp`, fsync, rename over
// `path`), so a failure leaves an existing file untouched.
void save_safetensors(const std::string& path, const StateDict& dict, const Metadata& metadata = {});

// True when the bytes start like a safetensors file (a plausible header
// length followed by '{').
bool looks_like_safetensors(const io::Bytes& file);

}  // namespace idml::weights
