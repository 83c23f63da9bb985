// torch.save's pickle vocabulary. Facts from torch/serialization.py and
// torch/_utils.py (1.6 - 2.x):
//   persistent id  ('storage', torch.FloatStorage, key, location, numel)       zip format
//                  ('storage', torch.FloatStorage, key, location, numel, view)  legacy format
//   _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
//   _rebuild_parameter(data, requires_grad, backward_hooks)
// A state dict is an OrderedDict whose BUILD state carries `_metadata`
// (module versions), which we drop.
#include "nn/weights/torch_pickle.h"

#include <map>

namespace idml::weights {

namespace {

const std::map<std::string, io::FileDType>& storage_types() {
  static const std::map<std::string, io::FileDType> types = {
      {"torch.FloatStorage", io::FileDType::Float32},  {"torch.DoubleStorage", io::FileDType::Float64},
      {"torch.HalfStorage", io::FileDType::Float16},   {"torch.BFloat16Storage", io::FileDType::BFloat16},
      {"torch.LongStorage", io::FileDType::Int64},     {"torch.IntStorage", io::FileDType::Int32},
      {"torch.ShortStorage", io::FileDType::Int16},    {"torch.CharStorage", io::FileDType::Int8},
      {"torch.ByteStorage", io::FileDType::UInt8},     {"torch.BoolStorage", io::FileDType::Bool},
  };
  return types;
}

const char* const kOrderedDict = "collections.OrderedDict";
const char* const kRebuildTensor = "torch._utils._rebuild_tensor";
const char* const kRebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
const char* const kRebuildParameter = "torch._utils._rebuild_parameter";
const char* const kRebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";

std::vector<int64_t> int_tuple(const io::PyValue& value, const std::string& source, const char* what) {
  IDML_CHECK(value->kind == io::PyKind::Tuple || value->kind == io::PyKind::List, source, ": tensor ", what,
             " is a ", io::kind_name(value->kind), ", not a tuple");
  std::vector<int64_t> out;
  for (const io::PyValue& item : value->items) {
    IDML_CHECK(item->kind == io::PyKind::Int, source, ": tensor ", what, " holds a ", io::kind_name(item->kind));
    out.push_back(item->integer);
  }
  return out;
}

io::PyValue rebuild_tensor(const io::PyValue& args, const std::string& source) {
  const auto& a = args->items;
  IDML_CHECK(a.size() >= 4, source, ": _rebuild_tensor_v2 with ", a.size(), " arguments");
  IDML_CHECK(a[0]->kind == io::PyKind::Storage, source, ": _rebuild_tensor_v2 on a ", io::kind_name(a[0]->kind),
             ", not a storage");
  IDML_CHECK(a[1]->kind == io::PyKind::Int, source, ": _rebuild_tensor_v2 storage offset is a ",
             io::kind_name(a[1]->kind));
  io::PyValue tensor = io::make_value(io::PyKind::Tensor);
  tensor->tensor.dtype = a[0]->storage_dtype;
  tensor->tensor.storage = a[0]->storage;
  tensor->tensor.offset = a[1]->integer;
  tensor->tensor.shape = int_tuple(a[2], source, "size");
  tensor->tensor.strides = int_tuple(a[3], source, "stride");
  IDML_CHECK(tensor->tensor.shape.size() == tensor->tensor.strides.size(), source, ": tensor with ",
             tensor->tensor.shape.size(), " sizes but ", tensor->tensor.strides.size(), " strides");
  return tensor;
}

io::PyValue ordered_dict(const io::PyValue& args, const std::string& source) {
  io::PyValue dict = io::make_value(io::PyKind::Dict);
  if (args->items.empty()) return dict;
  // OrderedDict([(key, value), ...])
  const io::PyValue& pairs = args->items[0];
  IDML_CHECK(pairs->kind == io::PyKind::List || pairs->kind == io::PyKind::Tuple, source,
             ": OrderedDict built from a ", io::kind_name(pairs->kind));
  for (const io::PyValue& pair : pairs->items) {
    IDML_CHECK(pair->kind == io::PyKind::Tuple && pair->items.size() == 2, source, ": OrderedDict item is not a pair");
    dict->entries.emplace_back(pair->items[0], pair->items[1]);
  }
  return dict;
}

}  // namespace

io::FileDType storage_type_dtype(const std::string& global_name, const std::string& source) {
  const auto found = storage_types().find(global_name);
  IDML_CHECK(found != storage_types().end(), source, ": unsupported storage type ", global_name);
  return found->second;
}

io::UnpickleHooks torch_unpickle_hooks(const std::string& source, StorageLookup storage_for) {
  io::UnpickleHooks hooks;
  hooks.find_class = [source](const std::string& module, const std::string& name) {
    const std::string full = module + "." + name;
    const bool known = full == kOrderedDict || full == kRebuildTensor || full == kRebuildTensorV2 ||
                       full == kRebuildParameter || full == kRebuildParameterWithState ||
                       storage_types().count(full) != 0;
    IDML_CHECK(known, source, ": unsupported pickle global ", full,
               " (only state dicts of tensors, numbers, strings and containers can be read)");
    io::PyValue global = io::make_value(io::PyKind::Global);
    global->text = full;
    return global;
  };
  hooks.reduce = [source](const io::PyValue& callable, const io::PyValue& args) {
    IDML_CHECK(callable->kind == io::PyKind::Global, source, ": pickle calls a ", io::kind_name(callable->kind));
    const std::string& name = callable->text;
    if (name == kOrderedDict) return ordered_dict(args, source);
    if (name == kRebuildTensor || name == kRebuildTensorV2) return rebuild_tensor(args, source);
    if (name == kRebuildParameter || name == kRebuildParameterWithState) {
      IDML_CHECK(!args->items.empty() && args->items[0]->kind == io::PyKind::Tensor, source, ": ", name,
                 " without a tensor");
      return args->items[0];
    }
    throw Error(detail::concat(source, ": pickle calls ", name, ", which cannot be constructed"));
  };
  hooks.build = [source](const io::PyValue& object, const io::PyValue& state) {
    // OrderedDict.__dict__ (a state dict's _metadata) and tensor state are not needed.
    IDML_CHECK(object->kind == io::PyKind::Dict || object->kind == io::PyKind::Tensor, source,
               ": pickle BUILD on a ", io::kind_name(object->kind));
  };
  hooks.persistent_load = [source, storage_for](const io::PyValue& id) {
    const auto& f = id->items;
    IDML_CHECK(id->kind == io::PyKind::Tuple && (f.size() == 5 || f.size() == 6) && f[0]->kind == io::PyKind::String &&
                   f[0]->text == "storage",
               source, ": unsupported persistent id (expected a ('storage', type, key, location, numel) tuple)");
    IDML_CHECK(f[1]->kind == io::PyKind::Global && f[2]->kind == io::PyKind::String && f[4]->kind == io::PyKind::Int &&
                   f[4]->integer >= 0,
               source, ": malformed storage persistent id");
    IDML_CHECK(f.size() == 5 || f[5]->kind == io::PyKind::None, source,
               ": storage views (files from torch < 0.4) are not supported");
    io::PyValue storage = io::make_value(io::PyKind::Storage);
    storage->storage_dtype = storage_type_dtype(f[1]->text, source);
    storage->storage = storage_for(f[2]->text, storage->storage_dtype, static_cast<uint64_t>(f[4]->integer));
    return storage;
  };
  return hooks;
}

}  // namespace idml::weights
