// Byte buffers of binary files read whole: a shared file image, spans into
// it, and bounds-checked little-endian reads. Every format reader of io/ and
// nn/weights/ goes through these, so that a short or corrupt file is an
// idml::Error naming the file, never a read past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "engine/error.h"

namespace idml::io {

using Bytes = std::vector<uint8_t>;

// A byte range inside a shared buffer (a whole file or one decompressed member).
struct ByteSpan {
  std::shared_ptr<const Bytes> buffer;
  size_t begin = 0;
  size_t size = 0;
  const uint8_t* data() const { return buffer->data() + begin; }
};

// The whole file; throws naming `path` when it cannot be opened or read.
std::shared_ptr<const Bytes> read_file_bytes(const std::string& path);

// Little-endian reads of `data[pos, pos + N)`; `limit` is the readable size.
// `what` names the structure being read, for the error message.
inline void require_bytes(size_t pos, size_t count, size_t limit, const std::string& path, const char* what) {
  IDML_CHECK(pos <= limit && count <= limit - pos, path, ": truncated file: ", what, " needs ", count,
             " bytes at offset ", pos, " but only ", (pos <= limit ? limit - pos : 0), " remain");
}

template <typename T>
T load_le(const uint8_t* p) {  // hosts are little-endian (x86-64, aarch64)
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// a * b for sizes, or throws naming `path` and `what` on overflow.
inline uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& path, const char* what) {
  IDML_CHECK(a == 0 || b <= UINT64_MAX / a, path, ": ", what, " overflows (", a, " x ", b, ")");
  return a * b;
}

}  // namespace idml::io
