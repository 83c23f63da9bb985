// Reading PyTorch .pth files without Python: the zip format torch.save writes
// since 1.6 and the legacy format of `_use_new_zipfile_serialization=False`
// (and of torch < 1.6). Tensors may be views: offsets, strides and storages
// shared between tensors are honoured; every tensor becomes a contiguous
// Float32 (all float types) or Int64 (all integer types, bool) CPU Tensor.
// Not supported: the pre-0.4 tar format, TorchScript archives, storage views,
// quantized or sparse tensors, and pickled Python objects other than
// containers, numbers and strings (each an error naming file and reason).
#pragma once

#include <string>

#include "io/pickle.h"
#include "nn/weights/state_dict.h"

namespace idml::weights {

// The whole pickled object of a .pth file (a dict, a checkpoint dict, ...)
// with tensors as PyKind::Tensor leaves whose storages are loaded.
io::PyValue load_pth_object(const std::string& path);
// The same for a file already in memory; `path` names it in errors.
io::PyValue load_pth_object(const std::shared_ptr<const io::Bytes>& file, const std::string& path);

// The state dict in an object: the object itself when it is a dict of
// tensors, else its "model_state_dict" or "state_dict" entry. Other entries
// of a checkpoint (epoch, optimizer state, ...) are ignored.
StateDict state_dict_from_object(const io::PyValue& object, const std::string& path);

// load_pth_object + state_dict_from_object.
StateDict load_pth(const std::string& path);
StateDict load_pth(const std::shared_ptr<const io::Bytes>& file, const std::string& path);

// True when the file starts like a .pth file (a ZIP or a protocol-2+ pickle).
bool looks_like_pth(const io::Bytes& file);

}  // namespace idml::weights
