// An array read from a weight file (io/raw_tensor.h) as an engine Tensor:
// its elements gathered into a contiguous CPU tensor of Float32 (every float
// type) or Int64 (every integer type and bool).
#pragma once

#include <string>

#include "engine/tensor.h"
#include "io/raw_tensor.h"

namespace idml::weights {

// What becomes of F64 data: Float32 like every float type, or kept as Float64
// (safetensors, where our own writer stores Float64 tensors, e.g. learning
// rates, and reads them back exactly).
enum class Float64Data { to_float32, keep };

// A contiguous CPU Tensor holding the elements; throws naming `source` (file
// and tensor name) where the view reaches outside its storage.
Tensor to_tensor(const io::RawTensor& raw, const std::string& source, Float64Data f64 = Float64Data::to_float32);

}  // namespace idml::weights
