// File arrays to engine tensors (see the header).
#include "nn/weights/to_tensor.h"

namespace idml::weights {

Tensor to_tensor(const io::RawTensor& raw, const std::string& source, Float64Data f64) {
  if (f64 == Float64Data::keep && raw.dtype == io::FileDType::Float64) {
    const std::vector<double> values = io::gather_float64(raw, source);
    return from_host(values.data(), raw.shape, DType::Float64);
  }
  if (io::file_dtype_is_float(raw.dtype)) {
    const std::vector<float> values = io::gather_floats(raw, source);
    return from_host(values.data(), raw.shape, DType::Float32);
  }
  const std::vector<int64_t> values = io::gather_integers(raw, source);
  return from_host(values.data(), raw.shape, DType::Int64);
}

}  // namespace idml::weights
