// The meaning torch.save gives to a pickle: which globals may appear
// (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
// _rebuild_parameter, the torch.*Storage types), what persistent ids name
// (storages), and how a tensor is rebuilt from (storage, offset, size, stride).
// Any other global is an error naming it: nothing is ever executed.
#pragma once

#include <functional>
#include <string>

#include "io/pickle.h"

namespace idml::weights {

// Gives the storage with this key; called once per persistent id, so the
// caller caches by key to keep shared storages shared.
using StorageLookup =
    std::function<std::shared_ptr<io::RawStorage>(const std::string& key, io::FileDType dtype, uint64_t numel)>;

io::UnpickleHooks torch_unpickle_hooks(const std::string& source, StorageLookup storage_for);

// "torch.FloatStorage" -> Float32, ...; throws naming `source` for other types.
io::FileDType storage_type_dtype(const std::string& global_name, const std::string& source);

}  // namespace idml::weights
