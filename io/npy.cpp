// .npy reader and writer; see npy.h. File layout (NumPy format spec):
//   "\x93NUMPY" | major (1 byte) | minor (1 byte) |
//   header length: uint16 LE (v1) or uint32 LE (v2, v3) |
//   header: a Python dict literal, space-padded and '\n'-terminated so that the
//           data starts at a multiple of 64 bytes |
//   data: product(shape) elements, C order.
#include "io/npy.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "engine/error.h"
#include "io/atomic_file.h"

namespace idml::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

bool host_is_little_endian() {
  const uint16_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

// Position just after `'key':` (or `"key":`) in the header dict, or npos.
// "(a, b, c" for the dimensions read so far plus `next`, for error messages.
std::string dims_text(const std::vector<int64_t>& shape, int64_t next) {
  std::string text = "(";
  for (const int64_t dim : shape) text += std::to_string(dim) + ", ";
  return text + std::to_string(next) + ", ...)";
}

size_t find_value(const std::string& dict, const std::string& key) {
  for (const char quote : {'\'', '"'}) {
    const std::string quoted = std::string(1, quote) + key + quote;
    size_t at = dict.find(quoted);
    if (at == std::string::npos) continue;
    at += quoted.size();
    while (at < dict.size() && std::isspace(static_cast<unsigned char>(dict[at]))) ++at;
    if (at < dict.size() && dict[at] == ':') ++at;
    while (at < dict.size() && std::isspace(static_cast<unsigned char>(dict[at]))) ++at;
    return at;
  }
  return std::string::npos;
}

NpyHeader parse_header_dict(const std::string& dict, const std::string& path) {
  NpyHeader header;
  size_t at = find_value(dict, "descr");
  IDML_CHECK(at != std::string::npos && at < dict.size() && (dict[at] == '\'' || dict[at] == '"'),
             "npy: ", path, ": header has no 'descr' string: ", dict);
  const size_t end = dict.find(dict[at], at + 1);
  IDML_CHECK(end != std::string::npos, "npy: ", path, ": unterminated 'descr' in header: ", dict);
  header.descr = dict.substr(at + 1, end - at - 1);

  at = find_value(dict, "fortran_order");
  IDML_CHECK(at != std::string::npos, "npy: ", path, ": header has no 'fortran_order': ", dict);
  if (dict.compare(at, 4, "True") == 0) {
    header.fortran_order = true;
  } else {
    IDML_CHECK(dict.compare(at, 5, "False") == 0, "npy: ", path, ": bad 'fortran_order' in header: ", dict);
  }

  at = find_value(dict, "shape");
  IDML_CHECK(at != std::string::npos && at < dict.size() && dict[at] == '(',
             "npy: ", path, ": header has no 'shape' tuple: ", dict);
  const size_t close = dict.find(')', at);
  IDML_CHECK(close != std::string::npos, "npy: ", path, ": unterminated 'shape' in header: ", dict);
  std::string dims = dict.substr(at + 1, close - at - 1);
  for (char& c : dims) if (c == ',') c = ' ';
  std::istringstream in(dims);
  std::string token;
  int64_t count = 1;
  while (in >> token) {
    if (!token.empty() && token.back() == 'L') token.pop_back();  // Python 2 longs: (3L, 4L)
    int64_t dim = -1;
    try {
      size_t used = 0;
      dim = std::stoll(token, &used);
      IDML_CHECK(used == token.size(), "npy: ", path, ": bad dimension '", token, "' in shape");
    } catch (const std::logic_error&) {
      IDML_CHECK(false, "npy: ", path, ": bad dimension '", token, "' in shape");
    }
    IDML_CHECK(dim >= 0, "npy: ", path, ": negative dimension in shape");
    // The element count must fit int64 (a wrapped product would pass the
    // truncation check and let the reader run past its buffer).
    IDML_CHECK(dim == 0 || count <= std::numeric_limits<int64_t>::max() / dim, "npy: ", path,
               ": shape ", dims_text(header.shape, dim), " has more elements than fit in 64 bits");
    count *= dim;
    header.shape.push_back(dim);
  }
  return header;
}

std::ifstream open_for_reading(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  IDML_CHECK(file.is_open(), "npy: cannot open '", path, "' for reading");
  return file;
}

// Read a file whose descr is in `accepted` (all of the form "<xN", N bytes per
// element), converting to T with convert(descr, file, out, count).
template <typename T, typename Convert>
NpyArray<T> read_converted(const std::string& path, const std::vector<std::string>& accepted, const char* wanted,
                           Convert&& convert) {
  IDML_CHECK(host_is_little_endian(), "npy: ", path, ": big-endian hosts are not supported");
  const NpyHeader header = read_npy_header(path);
  IDML_CHECK(std::find(accepted.begin(), accepted.end(), header.descr) != accepted.end(), "npy: ", path,
             ": dtype '", header.descr, "' is not supported, expected ", wanted);
  IDML_CHECK(!header.fortran_order, "npy: ", path,
             ": fortran_order True is not supported; save a C-order array (np.ascontiguousarray)");
  std::ifstream file = open_for_reading(path);
  file.seekg(0, std::ios::end);
  const int64_t data_bytes = static_cast<int64_t>(file.tellg()) - header.data_offset;
  const int64_t item_size = header.descr[2] - '0';
  const int64_t count = header.element_count();
  // Checked before allocating, so a corrupt shape cannot ask for terabytes.
  IDML_CHECK(count <= data_bytes / item_size, "npy: ", path, ": file is truncated (shape needs ", count,
             " elements of dtype '", header.descr, "', ", data_bytes, " data bytes present)");
  NpyArray<T> array;
  array.shape = header.shape;
  array.values.resize(static_cast<size_t>(count));
  file.seekg(header.data_offset);
  convert(header.descr, file, array.values.data(), count);
  IDML_CHECK(file.good(), "npy: ", path, ": read error in the data");
  return array;
}

// Read `count` elements of type From and cast them to To.
template <typename From, typename To>
void read_and_cast(std::ifstream& file, To* out, int64_t count) {
  constexpr int64_t kChunk = 1 << 16;
  std::vector<From> buffer(static_cast<size_t>(std::min<int64_t>(count, kChunk)));
  for (int64_t done = 0; done < count && file.good(); done += kChunk) {
    const int64_t n = std::min(kChunk, count - done);
    file.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(n * sizeof(From)));
    for (int64_t i = 0; i < n; ++i) out[done + i] = static_cast<To>(buffer[static_cast<size_t>(i)]);
  }
}

template <typename T>
void write_array(const std::string& path, const T* values, const std::vector<int64_t>& shape, const char* descr) {
  std::string shape_text = "(";
  int64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    IDML_CHECK(shape[i] >= 0, "npy: ", path, ": negative dimension in shape");
    if (i > 0) shape_text += ", ";
    shape_text += std::to_string(shape[i]);
    count *= shape[i];
  }
  shape_text += shape.size() == 1 ? ",)" : ")";  // Python's one-element tuple: (3,)
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape_text;
  dict += ", }";
  // Pad with spaces so that magic + version + length + header is a multiple of 64, ending in '\n'.
  const size_t prefix = kMagicSize + 2 + 2;
  const size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  IDML_CHECK(total - prefix <= 65535, "npy: ", path, ": header too long for version 1");
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';

  io::AtomicFile file(path);
  const unsigned char version[2] = {1, 0};
  const uint16_t length = static_cast<uint16_t>(dict.size());
  const unsigned char length_bytes[2] = {static_cast<unsigned char>(length & 0xff),
                                         static_cast<unsigned char>(length >> 8)};
  file.write(kMagic, kMagicSize);
  file.write(version, 2);
  file.write(length_bytes, 2);
  file.write(dict);
  file.write(values, static_cast<size_t>(count) * sizeof(T));
  file.commit();
}

}  // namespace

int64_t NpyHeader::element_count() const {
  int64_t count = 1;
  for (const int64_t dim : shape) count *= dim;
  return count;
}

NpyHeader read_npy_header(const std::string& path) {
  std::ifstream file = open_for_reading(path);
  char magic[kMagicSize] = {};
  unsigned char version[2] = {};
  file.read(magic, kMagicSize);
  file.read(reinterpret_cast<char*>(version), 2);
  IDML_CHECK(file.good() && std::memcmp(magic, kMagic, kMagicSize) == 0, "npy: '", path,
             "' is not a .npy file (no \\x93NUMPY magic)");
  IDML_CHECK(version[0] >= 1 && version[0] <= 3, "npy: ", path, ": unsupported format version ",
             int(version[0]), ".", int(version[1]));
  uint32_t header_length = 0;
  int64_t prefix = 0;
  if (version[0] == 1) {
    unsigned char bytes[2] = {};
    file.read(reinterpret_cast<char*>(bytes), 2);
    header_length = bytes[0] | (uint32_t(bytes[1]) << 8);
    prefix = kMagicSize + 2 + 2;
  } else {
    unsigned char bytes[4] = {};
    file.read(reinterpret_cast<char*>(bytes), 4);
    header_length = bytes[0] | (uint32_t(bytes[1]) << 8) | (uint32_t(bytes[2]) << 16) | (uint32_t(bytes[3]) << 24);
    prefix = kMagicSize + 2 + 4;
  }
  IDML_CHECK(file.good() && header_length < (1u << 24), "npy: ", path, ": truncated or corrupt header");
  std::string dict(header_length, '\0');
  file.read(dict.data(), header_length);
  IDML_CHECK(file.good(), "npy: ", path, ": truncated header");
  NpyHeader header = parse_header_dict(dict, path);
  header.data_offset = prefix + header_length;
  return header;
}

NpyArray<float> read_npy_float32(const std::string& path) {
  return read_converted<float>(path, {"<f4", "<f8"}, "float32 ('<f4') or float64 ('<f8')",
                               [](const std::string& descr, std::ifstream& file, float* out, int64_t count) {
                                 if (descr == "<f4") read_and_cast<float>(file, out, count);
                                 else read_and_cast<double>(file, out, count);
                               });
}

NpyArray<int64_t> read_npy_int64(const std::string& path) {
  return read_converted<int64_t>(path, {"<i8", "<i4"}, "int64 ('<i8') or int32 ('<i4')",
                                 [](const std::string& descr, std::ifstream& file, int64_t* out, int64_t count) {
                                   if (descr == "<i8") read_and_cast<int64_t>(file, out, count);
                                   else read_and_cast<int32_t>(file, out, count);
                                 });
}

void write_npy(const std::string& path, const float* values, const std::vector<int64_t>& shape) {
  write_array(path, values, shape, "<f4");
}

void write_npy(const std::string& path, const int64_t* values, const std::vector<int64_t>& shape) {
  write_array(path, values, shape, "<i8");
}

}  // namespace idml::npy
