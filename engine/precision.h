// The precision of inference convolutions on the CPU. float32 is the default
// and the only precision of training; a ReducedPrecisionInference scope (eval,
// embed and bench's inference under --precision bf16) runs the float32 conv2d
// forwards inside it in bfloat16 through oneDNN: activations and weights are
// rounded to bf16 when they are reordered into oneDNN's layout, products are
// accumulated in float32 and the output, bias and epilogue stay float32.
// Everything else (pooling, the linear heads, normalisation) stays float32.
// A conv2d that autograd records inside the scope is an error: training and
// gradients are never bf16.
#pragma once

#include <string>

#include "engine/device.h"

namespace idml {

enum class InferencePrecision { Float32, BFloat16 };

InferencePrecision inference_precision();

// Whether this CPU runs oneDNN's bf16 convolutions (AVX512-BF16, AMX, or
// oneDNN's AVX-512 emulation); the reason when not.
bool bf16_inference_supported(std::string* why_not = nullptr);

class ReducedPrecisionInference {
 public:
  // Throws idml::Error, naming `flag`, when the CPU cannot run bf16 or the
  // work runs on a GPU (bf16 is the CPU backend's).
  ReducedPrecisionInference(InferencePrecision precision, Device device, const std::string& flag = "--precision");
  ~ReducedPrecisionInference();
  ReducedPrecisionInference(const ReducedPrecisionInference&) = delete;
  ReducedPrecisionInference& operator=(const ReducedPrecisionInference&) = delete;

 private:
  InferencePrecision saved_;
};

}  // namespace idml
