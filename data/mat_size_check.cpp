// MATLAB v5/v7 size bounds (see mat_size_check.h). Layout (MathWorks, "MAT-File
// Format"): a 128-byte header (version 0x0100, endian mark "IM"), then data
// elements, each an 8-byte tag (type, byte count; or the 4-byte "small element"
// form) padded to 8 bytes. A variable is a miMATRIX element (array flags,
// dimensions, name, then per class: data, cells, or field names then fields)
// or a miCOMPRESSED element holding one deflated miMATRIX.
#include "data/mat_size_check.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <vector>

#include <zlib.h>

#include "engine/error.h"

namespace idml::data {
namespace {

constexpr uint32_t kMiInt32 = 5, kMiUInt32 = 6, kMiMatrix = 14, kMiCompressed = 15;
constexpr uint32_t kCell = 1, kStruct = 2, kObject = 3, kSparse = 5;
constexpr int kMaxDepth = 32;  // nested cells/structs; matio recurses once per level

struct Element {
  uint32_t type = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;   // bytes of data
  size_t total = 0;  // tag + data + padding, clamped to what is left
};

class Walker {
 public:
  Walker(std::string path, bool swap) : path_(std::move(path)), swap_(swap) {}

  uint32_t u32(const uint8_t* p) const {
    const uint32_t v = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    return swap_ ? __builtin_bswap32(v) : v;
  }

  // The element at the start of [p, p + left); throws when it does not fit.
  Element element(const uint8_t* p, size_t left, const std::string& where) const {
    IDML_CHECK(left >= 8, path_, ": ", where, " is cut short (", left, " bytes left for an 8-byte tag)");
    Element e;
    const uint32_t first = u32(p);
    if ((first >> 16) != 0) {  // small element: type and size in one word, data in the next 4 bytes
      e.type = first & 0xffff;
      e.size = first >> 16;
      IDML_CHECK(e.size <= 4, path_, ": ", where, " has a small data element of ", e.size, " bytes (at most 4)");
      e.data = p + 4;
      e.total = 8;
      return e;
    }
    e.type = first;
    e.size = u32(p + 4);
    IDML_CHECK(e.size <= left - 8, path_, ": ", where, " declares ", e.size, " bytes but only ", left - 8,
               " follow in the file");
    e.data = p + 8;
    e.total = std::min(left, 8 + ((e.size + 7) & ~size_t{7}));
    return e;
  }

  // A miMATRIX element's contents [p, p + n).
  void matrix(const uint8_t* p, size_t n, const std::string& name, int depth) const {
    // A cell or struct value may be empty (0 bytes). A variable (depth 0)
    // always has flags, dimensions and a name, and matio reads them from the
    // bytes that follow whatever its tag's size says: a 0-byte variable would
    // hide a header from this walk (a 389-byte file made matio allocate 8 GB).
    if (n == 0 && depth > 0) return;
    IDML_CHECK(n > 0, path_, ": variable ", name, " is a 0-byte array element (matio would read its header ",
               "from the bytes after it)");
    IDML_CHECK(depth < kMaxDepth, path_, ": ", name, " nests cells or structs more than ", kMaxDepth, " deep");
    const uint8_t* const end = p + n;
    const Element flags = element(p, n, name + " (array flags)");
    IDML_CHECK(flags.type == kMiUInt32 && flags.size == 8, path_, ": ", name, " has no array flags");
    const uint32_t class_type = u32(flags.data) & 0xff, nzmax = u32(flags.data + 4);
    p += flags.total;
    const Element dims = element(p, end - p, name + " (dimensions)");
    IDML_CHECK(dims.type == kMiInt32 && dims.size % 4 == 0, path_, ": ", name, " has no dimensions");
    p += dims.total;
    // Bounded by the bytes of this array at every step, so the product cannot wrap.
    size_t count = 1;
    std::string declared;
    for (size_t d = 0; d < dims.size / 4; ++d) {
      const size_t extent = u32(dims.data + 4 * d);
      declared += (d ? " x " : "") + std::to_string(extent);
      IDML_CHECK(extent == 0 || count <= n / extent, path_, ": variable ", name, " declares ", declared,
                 "... elements, more than its ", n, " bytes in the file can hold");
      count *= extent;
    }
    const Element array_name = element(p, end - p, name + " (name)");
    p += array_name.total;
    if (class_type == kSparse) {
      IDML_CHECK(nzmax <= n, path_, ": sparse variable ", name, " declares ", nzmax, " nonzeros in ", n, " bytes");
      data_elements(p, end, name);
      return;
    }
    if (class_type != kCell && class_type != kStruct && class_type != kObject) {
      IDML_CHECK(count <= n, path_, ": variable ", name, " declares ", declared, " elements, more than its ", n,
                 " bytes in the file can hold");
      data_elements(p, end, name);
      return;
    }
    std::vector<std::string> fields{""};
    if (class_type != kCell) fields = field_names(p, end, name, class_type == kObject);
    // Every cell or field value is an element with at least an 8-byte tag.
    IDML_CHECK(fields.empty() || count <= static_cast<size_t>(end - p) / 8 / fields.size(), path_, ": variable ",
               name, " declares ", declared, " elements of ", fields.size(), " field(s), more than its ", end - p,
               " bytes in the file can hold");
    for (size_t i = 0; i < count && p < end; ++i) {
      for (const std::string& field : fields) {
        const std::string child = class_type == kCell ? name + "{" + std::to_string(i + 1) + "}"
                                                      : name + "(" + std::to_string(i + 1) + ")." + field;
        const Element value = element(p, end - p, child);
        IDML_CHECK(value.type == kMiMatrix, path_, ": ", child, " is not an array element (type ", value.type, ")");
        matrix(value.data, value.size, child, depth + 1);
        p += value.total;
      }
    }
  }

  // A numeric, char or sparse array's data elements (real and imaginary
  // parts; row and column indices), to the array's end: matio allocates what
  // each tag declares before reading it (a 1,160-byte file whose char data
  // declared 822 MB made it allocate them), so each must fit in the array.
  void data_elements(const uint8_t* p, const uint8_t* end, const std::string& name) const {
    while (p < end) p += element(p, end - p, name + " (data)").total;
  }

  // Struct/object field names; moves p past them.
  std::vector<std::string> field_names(const uint8_t*& p, const uint8_t* end, const std::string& name,
                                       bool object) const {
    if (object) p += element(p, end - p, name + " (class name)").total;
    const Element length = element(p, end - p, name + " (field name length)");
    IDML_CHECK(length.type == kMiInt32 && length.size == 4, path_, ": struct ", name, " has no field name length");
    p += length.total;
    const Element names = element(p, end - p, name + " (field names)");
    p += names.total;
    const size_t width = u32(length.data);
    std::vector<std::string> out;
    if (width == 0) return out;
    for (size_t at = 0; at + width <= names.size; at += width) {
      const char* s = reinterpret_cast<const char*>(names.data + at);
      out.emplace_back(s, std::find(s, s + width, '\0'));
    }
    return out;
  }

  std::string name_of(const uint8_t* p, size_t n) const {  // best effort, for messages
    try {
      const uint8_t* end = p + n;
      p += element(p, n, "").total;
      p += element(p, end - p, "").total;
      const Element name = element(p, end - p, "");
      return std::string(reinterpret_cast<const char*>(name.data), name.size);
    } catch (const Error&) {
      return "?";
    }
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool swap_;
};

// Inflates one miCOMPRESSED element, at most kMaxMatVariableBytes.
std::vector<uint8_t> inflate_variable(const Walker& walker, const Element& e, size_t offset) {
  z_stream z{};
  IDML_CHECK(inflateInit(&z) == Z_OK, "zlib: inflateInit failed");
  std::vector<uint8_t> out(std::min<size_t>(kMaxMatVariableBytes, std::max<size_t>(4096, 4 * e.size)));
  z.next_in = const_cast<Bytef*>(e.data);
  z.avail_in = static_cast<uInt>(e.size);
  int status = Z_OK;
  while (status == Z_OK) {
    if (z.total_out == out.size()) {
      if (out.size() == kMaxMatVariableBytes) break;
      out.resize(std::min(kMaxMatVariableBytes, 2 * out.size()));
    }
    z.next_out = out.data() + z.total_out;
    z.avail_out = static_cast<uInt>(out.size() - z.total_out);
    status = inflate(&z, Z_NO_FLUSH);
  }
  const size_t produced = z.total_out;
  inflateEnd(&z);
  const bool too_big = status == Z_OK && produced == kMaxMatVariableBytes;
  out.resize(produced);
  const std::string name = produced >= 8 ? walker.name_of(out.data() + 8, produced - 8) : "?";
  IDML_CHECK(!too_big, walker.path(), ": compressed variable '", name, "' (byte ", offset,
             ") inflates to more than ", kMaxMatVariableBytes >> 20, " MiB");
  IDML_CHECK(status == Z_STREAM_END || status == Z_BUF_ERROR, walker.path(), ": compressed variable '", name,
             "' (byte ", offset, ") is a corrupt zlib stream");
  return out;
}

}  // namespace

void check_mat_sizes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  IDML_CHECK(in, "cannot open ", path);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  IDML_CHECK(bytes.size() >= 128 && ((bytes[126] == 'I' && bytes[127] == 'M') || (bytes[126] == 'M' && bytes[127] == 'I')),
             path, " is not a MATLAB v5/v7 file (no 128-byte header with the endian mark IM)");
  const Walker walker(path, bytes[126] == 'M');
  const uint32_t version = bytes[126] == 'I' ? bytes[124] | bytes[125] << 8 : bytes[124] << 8 | bytes[125];
  IDML_CHECK(version == 0x0100, path, " is a MATLAB file of version 0x", std::hex, version,
             " (v7.3/HDF5?); only v5/v7 are read: save it with -v7");
  size_t at = 128;
  while (at + 8 <= bytes.size()) {
    const Element e = walker.element(bytes.data() + at, bytes.size() - at, "the element at byte " + std::to_string(at));
    if (e.type == kMiCompressed) {
      const std::vector<uint8_t> inner = inflate_variable(walker, e, at);
      if (inner.size() >= 8) {
        const Element matrix = walker.element(inner.data(), inner.size(), "the compressed variable at byte " + std::to_string(at));
        if (matrix.type == kMiMatrix)
          walker.matrix(matrix.data, matrix.size, walker.name_of(matrix.data, matrix.size), 0);
      }
    } else if (e.type == kMiMatrix) {
      walker.matrix(e.data, e.size, e.size ? walker.name_of(e.data, e.size) : "at byte " + std::to_string(at), 0);
    }
    at += e.type == kMiCompressed ? 8 + e.size : e.total;
  }
}

}  // namespace idml::data
