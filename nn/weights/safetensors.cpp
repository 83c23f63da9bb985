// safetensors read (strict header validation) and write.
#include "nn/weights/safetensors.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "nn/weights/to_tensor.h"

namespace idml::weights {

namespace {

using nlohmann::json;

const std::map<std::string, io::FileDType>& dtype_names() {
  static const std::map<std::string, io::FileDType> names = {
      {"BOOL", io::FileDType::Bool}, {"U8", io::FileDType::UInt8},   {"I8", io::FileDType::Int8},
      {"I16", io::FileDType::Int16}, {"I32", io::FileDType::Int32},  {"I64", io::FileDType::Int64},
      {"F16", io::FileDType::Float16}, {"BF16", io::FileDType::BFloat16}, {"F32", io::FileDType::Float32},
      {"F64", io::FileDType::Float64},
  };
  return names;
}

io::RawTensor parse_entry(const std::string& name, const json& entry, const std::shared_ptr<io::RawStorage>& data,
                      const std::string& path, std::pair<uint64_t, uint64_t>* range) {
  const std::string where = path + ": tensor '" + name + "'";
  IDML_CHECK(entry.is_object() && entry.contains("dtype") && entry.contains("shape") && entry.contains("data_offsets"),
             where, ": header entry needs dtype, shape and data_offsets");
  const json& dtype = entry["dtype"];
  IDML_CHECK(dtype.is_string() && dtype_names().count(dtype.get<std::string>()), where, ": unknown dtype ",
             dtype.dump());
  io::RawTensor raw;
  raw.dtype = dtype_names().at(dtype.get<std::string>());
  uint64_t numel = 1;
  const json& shape = entry["shape"];
  IDML_CHECK(shape.is_array(), where, ": shape is not a list");
  for (const json& size : shape) {
    IDML_CHECK(size.is_number_unsigned(), where, ": shape ", shape.dump(), " is not a list of sizes");
    const uint64_t value = size.get<uint64_t>();
    IDML_CHECK(value <= static_cast<uint64_t>(INT64_MAX), where, ": size ", value, " too large");
    numel = io::checked_mul(numel, value, where, "element count");
    raw.shape.push_back(static_cast<int64_t>(value));
  }
  const json& offsets = entry["data_offsets"];
  IDML_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                 offsets[1].is_number_unsigned(),
             where, ": data_offsets ", offsets.dump(), " is not [begin, end]");
  const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
  IDML_CHECK(begin <= end && end <= data->bytes.size, where, ": data_offsets [", begin, ", ", end,
             "] out of range (data section holds ", data->bytes.size, " bytes)");
  const uint64_t nbytes = io::checked_mul(numel, io::file_dtype_size(raw.dtype), where, "byte size");
  IDML_CHECK(end - begin == nbytes, where, ": shape ", shape.dump(), " of ", dtype.get<std::string>(), " needs ",
             nbytes, " bytes but data_offsets span ", end - begin);
  raw.strides.assign(raw.shape.size(), 1);
  for (size_t d = raw.shape.size(); d-- > 1;) raw.strides[d - 1] = raw.strides[d] * raw.shape[d];
  raw.offset = static_cast<int64_t>(begin / io::file_dtype_size(raw.dtype));
  // The offset is in elements of the whole data section; unaligned begins get their own storage view.
  if (begin % io::file_dtype_size(raw.dtype) != 0) {
    raw.storage = std::make_shared<io::RawStorage>(
        io::RawStorage{io::ByteSpan{data->bytes.buffer, data->bytes.begin + begin, nbytes}});
    raw.offset = 0;
  } else {
    raw.storage = data;
  }
  *range = {begin, end};
  return raw;
}

// The writer's dtypes: every engine dtype, exactly (no rounding of Float64).
const char* safetensors_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
  }
  return "?";
}

}  // namespace

bool looks_like_safetensors(const io::Bytes& file) {
  if (file.size() < 9) return false;
  const uint64_t n = io::load_le<uint64_t>(file.data());
  return n <= file.size() - 8 && n <= kSafetensorsMaxHeader && file[8] == '{';
}

SafetensorsContents parse_safetensors(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  const io::Bytes& bytes = *file;
  io::require_bytes(0, 8, bytes.size(), path, "safetensors header length");
  const uint64_t header_size = io::load_le<uint64_t>(bytes.data());
  IDML_CHECK(header_size <= kSafetensorsMaxHeader, path, ": safetensors header too large (", header_size,
             " bytes; limit ", kSafetensorsMaxHeader, ")");
  IDML_CHECK(header_size <= bytes.size() - 8, path, ": truncated file: safetensors header of ", header_size,
             " bytes but the file holds ", bytes.size(), " bytes");
  const json header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + header_size, nullptr, false);
  IDML_CHECK(!header.is_discarded(), path, ": safetensors header is not valid JSON");
  IDML_CHECK(header.is_object(), path, ": safetensors header is not a JSON object");
  const size_t data_begin = 8 + header_size;
  auto data =
      std::make_shared<io::RawStorage>(io::RawStorage{io::ByteSpan{file, data_begin, bytes.size() - data_begin}});
  SafetensorsContents out;
  std::vector<std::pair<std::pair<uint64_t, uint64_t>, std::string>> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      IDML_CHECK(entry.is_object(), path, ": __metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        IDML_CHECK(value.is_string(), path, ": __metadata__ value of '", key, "' is not a string");
        out.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    std::pair<uint64_t, uint64_t> range;
    out.tensors[name] = parse_entry(name, entry, data, path, &range);
    ranges.push_back({range, name});
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    IDML_CHECK(ranges[i].first.first >= ranges[i - 1].first.second, path, ": tensors '", ranges[i - 1].second,
               "' and '", ranges[i].second, "' overlap in the data section");
  return out;
}

StateDict load_safetensors(const std::string& path, Metadata* metadata) {
  const SafetensorsContents contents = parse_safetensors(io::read_file_bytes(path), path);
  StateDict out;
  for (const auto& [name, raw] : contents.tensors)
    out[name] = to_tensor(raw, path + ": '" + name + "'", Float64Data::keep);
  if (metadata) *metadata = contents.metadata;
  return out;
}

void save_safetensors(const std::string& path, const StateDict& dict, const Metadata& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> host;  // tensors in name order, as written
  uint64_t offset = 0;
  for (const auto& [name, tensor] : dict) {
    IDML_CHECK(name != "__metadata__", path, ": a tensor cannot be named __metadata__");
    Tensor t = tensor.detach().to(Device::cpu());
    const uint64_t nbytes = t.nbytes();
    header[name] = {{"dtype", safetensors_dtype(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
    host.push_back(t);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data section is 8-byte aligned
  io::AtomicFile file(path);
  const uint64_t header_size = text.size();
  file.write(&header_size, 8);
  file.write(text);
  for (const Tensor& t : host) file.write(t.raw_data(), t.nbytes());
  file.commit();
}

}  // namespace idml::weights
