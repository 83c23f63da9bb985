// The two .pth container layouts (facts from torch/serialization.py):
// zip:    <archive>/data.pkl         the object, storages as persistent ids
//         <archive>/data/<key>       raw storage bytes, one member per storage
//         <archive>/byteorder        "little" or "big" (absent in older files: little)
//         <archive>/version
// legacy: pickle(magic 0x1950a86a20f9469cfc6c) pickle(protocol 1001)
//         pickle(sys_info dict) pickle(object) pickle([storage keys])
//         then per key in that order: int64 element count, raw bytes.
#include "nn/weights/pth.h"

#include <map>

#include "nn/weights/torch_pickle.h"
#include "nn/weights/to_tensor.h"
#include "nn/weights/zip_reader.h"

namespace idml::weights {

namespace {

constexpr uint16_t kLegacyProtocol = 1001;
// The magic number 0x1950a86a20f9469cfc6c as pickle's little-endian LONG1 bytes.
const std::string kLegacyMagic("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10);

io::PyValue load_zip(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  ZipArchive zip(file, path);
  std::string prefix;
  int found = 0;
  for (const std::string& name : zip.names()) {
    const size_t slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "data.pkl") {
      prefix = name.substr(0, slash + 1);
      ++found;
    }
  }
  IDML_CHECK(found == 1, path, ": not a PyTorch zip file (", found == 0 ? "no" : "more than one",
             " <archive>/data.pkl member",
             found == 0 && zip.contains("constants.pkl") ? "; a TorchScript archive?" : "", ")");
  bool big_endian = false;
  if (zip.contains(prefix + "byteorder")) {
    const io::ByteSpan order = zip.read(prefix + "byteorder");
    const std::string text(reinterpret_cast<const char*>(order.data()), order.size);
    IDML_CHECK(text == "little" || text == "big", path, ": unknown byteorder '", text, "'");
    big_endian = text == "big";
  }
  std::map<std::string, std::shared_ptr<io::RawStorage>> storages;
  auto storage_for = [&](const std::string& key, io::FileDType dtype, uint64_t numel) {
    auto& slot = storages[key];
    if (slot) return slot;
    const std::string member = prefix + "data/" + key;
    const io::ByteSpan bytes = zip.read(member);
    const uint64_t nbytes = io::checked_mul(numel, io::file_dtype_size(dtype), path, "storage size");
    IDML_CHECK(bytes.size >= nbytes, path, ": storage ", member, " holds ", bytes.size, " bytes, ", nbytes,
               " expected");
    slot =
        std::make_shared<io::RawStorage>(io::RawStorage{io::ByteSpan{bytes.buffer, bytes.begin, nbytes}, big_endian});
    return slot;
  };
  const io::ByteSpan pickle = zip.read(prefix + "data.pkl");
  size_t consumed = 0;
  return io::unpickle(pickle.data(), pickle.size, &consumed, torch_unpickle_hooks(path, storage_for), path);
}

io::PyValue load_legacy(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  const io::Bytes& bytes = *file;
  size_t pos = 0;
  // Pickles of plain values before and after the object need no storages.
  io::UnpickleHooks plain =
      torch_unpickle_hooks(path, [&](const std::string&, io::FileDType, uint64_t) -> std::shared_ptr<io::RawStorage> {
        throw Error(path + ": storage outside the data pickle");
      });
  auto next_pickle = [&](const io::UnpickleHooks& hooks) {
    size_t consumed = 0;
    io::PyValue v = io::unpickle(bytes.data() + pos, bytes.size() - pos, &consumed, hooks, path);
    pos += consumed;
    return v;
  };
  const io::PyValue magic = next_pickle(plain);
  IDML_CHECK(magic->kind == io::PyKind::BigInt && magic->text == kLegacyMagic, path,
             ": not a PyTorch file (wrong magic number)");
  const io::PyValue protocol = next_pickle(plain);
  IDML_CHECK(protocol->kind == io::PyKind::Int && protocol->integer == kLegacyProtocol, path,
             ": unsupported legacy protocol version");
  const io::PyValue sys_info = next_pickle(plain);
  const io::PyValue little = io::dict_get(sys_info, "little_endian");
  IDML_CHECK(little && little->kind == io::PyKind::Bool && little->boolean, path,
             ": legacy file written on a big-endian machine (not supported)");

  struct Pending {
    std::shared_ptr<io::RawStorage> storage;
    io::FileDType dtype;
    uint64_t numel;
  };
  std::map<std::string, Pending> pending;
  const io::PyValue object =
      next_pickle(torch_unpickle_hooks(path, [&](const std::string& key, io::FileDType dtype, uint64_t numel) {
        auto& slot = pending[key];
        if (!slot.storage) slot = Pending{std::make_shared<io::RawStorage>(), dtype, numel};
        return slot.storage;
      }));
  const io::PyValue keys = next_pickle(plain);
  IDML_CHECK(keys->kind == io::PyKind::List, path, ": legacy storage key list is a ", io::kind_name(keys->kind));
  for (const io::PyValue& key : keys->items) {
    IDML_CHECK(key->kind == io::PyKind::String, path, ": legacy storage key is a ", io::kind_name(key->kind));
    auto found = pending.find(key->text);
    IDML_CHECK(found != pending.end(), path, ": storage key ", key->text, " not used by any tensor");
    io::require_bytes(pos, 8, bytes.size(), path, "legacy storage size");
    const int64_t numel = io::load_le<int64_t>(bytes.data() + pos);
    pos += 8;
    IDML_CHECK(numel >= 0 && static_cast<uint64_t>(numel) == found->second.numel, path, ": storage ", key->text,
               " holds ", numel, " elements, ", found->second.numel, " expected");
    const uint64_t nbytes = io::checked_mul(numel, io::file_dtype_size(found->second.dtype), path, "storage size");
    io::require_bytes(pos, nbytes, bytes.size(), path, "legacy storage data");
    found->second.storage->bytes = io::ByteSpan{file, pos, static_cast<size_t>(nbytes)};
    pos += nbytes;
  }
  for (const auto& [key, slot] : pending)
    IDML_CHECK(slot.storage->bytes.buffer != nullptr, path, ": storage ", key, " missing from the file");
  return object;
}

}  // namespace

bool looks_like_pth(const io::Bytes& file) {
  return looks_like_zip(file) || (file.size() >= 2 && file[0] == 0x80 && file[1] >= 2);
}

io::PyValue load_pth_object(const std::string& path) { return load_pth_object(io::read_file_bytes(path), path); }

io::PyValue load_pth_object(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  if (looks_like_zip(*file)) return load_zip(file, path);
  IDML_CHECK(file->size() >= 2 && (*file)[0] == 0x80, path,
             ": not a PyTorch file (neither a ZIP archive nor a pickle; the pre-0.4 tar format is not supported)");
  return load_legacy(file, path);
}

StateDict state_dict_from_object(const io::PyValue& object, const std::string& path) {
  IDML_CHECK(object->kind == io::PyKind::Dict, path, ": holds a ", io::kind_name(object->kind), ", not a state dict");
  io::PyValue dict = object;
  for (const char* key : {"model_state_dict", "state_dict"}) {
    const io::PyValue inner = io::dict_get(object, key);
    if (inner && inner->kind == io::PyKind::Dict) {
      dict = inner;
      break;
    }
  }
  StateDict out;
  for (const auto& [key, value] : dict->entries) {
    IDML_CHECK(key->kind == io::PyKind::String, path, ": state dict key is a ", io::kind_name(key->kind));
    IDML_CHECK(value->kind == io::PyKind::Tensor, path, ": state dict entry '", key->text, "' is a ",
               io::kind_name(value->kind), ", not a tensor");
    out[key->text] = to_tensor(value->tensor, path + ": '" + key->text + "'");
  }
  return out;
}

StateDict load_pth(const std::string& path) { return state_dict_from_object(load_pth_object(path), path); }

StateDict load_pth(const std::shared_ptr<const io::Bytes>& file, const std::string& path) {
  return state_dict_from_object(load_pth_object(file, path), path);
}

}  // namespace idml::weights
