// The restricted unpickler extended to NumPy arrays, for data files such as
// the CIFAR python batches: a pickle of dicts, lists, numbers, strings and
// ndarrays. The only globals it resolves are NumPy's array reconstruction,
//   numpy.core.multiarray._reconstruct (numpy 2: numpy._core.multiarray), numpy.ndarray, numpy.dtype,
// and _codecs.encode (how Python 3 writes bytes in protocol 2); any other
// global is an error naming it. No Python code is ever run: each is rebuilt here.
// An array becomes a PyKind::Tensor value whose RawTensor holds the array's
// element type, shape, strides (C or Fortran order) and bytes.
#pragma once

#include <string>

#include "io/pickle.h"

namespace idml::io {

UnpickleHooks numpy_unpickle_hooks(const std::string& source);

// The whole pickle file at `path` (one pickle, up to STOP).
PyValue read_numpy_pickle(const std::string& path);

}  // namespace idml::io
