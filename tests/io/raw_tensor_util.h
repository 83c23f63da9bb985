// Test helpers for arrays as files store them (io/raw_tensor.h): a storage
// over given bytes, and the bytes of a list of values.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "io/raw_tensor.h"

namespace idml::io::testing {

inline std::shared_ptr<RawStorage> storage_of(const std::vector<uint8_t>& bytes) {
  auto buffer = std::make_shared<Bytes>(bytes);
  return std::make_shared<RawStorage>(RawStorage{ByteSpan{buffer, 0, buffer->size()}});
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace idml::io::testing
