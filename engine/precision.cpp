// The process-wide inference precision (see the header).
#include "engine/precision.h"

#include <atomic>

#include "engine/cpu/conv_choices.h"
#include "engine/cpu/onednn_conv.h"
#include "engine/error.h"

namespace idml {

namespace {
std::atomic<InferencePrecision> current{InferencePrecision::Float32};
}  // namespace

InferencePrecision inference_precision() { return current.load(); }

bool bf16_inference_supported(std::string* why_not) {
  if (cpu::conv_implementation() == cpu::ConvImplementation::Im2col) {
    if (why_not) *why_not = "IDML_CPU_CONV=im2col selects the im2col + GEMM path, which is float32 only";
    return false;
  }
  return cpu::onednn::bf16_convolutions_supported(why_not);
}

ReducedPrecisionInference::ReducedPrecisionInference(InferencePrecision precision, Device device,
                                                     const std::string& flag)
    : saved_(current.load()) {
  if (precision == InferencePrecision::BFloat16 && !device.is_cpu())
    throw Error(flag + " bf16 runs on the CPU (oneDNN); on " + device.str() + " use " + flag + " fp32");
  std::string why_not;
  if (precision == InferencePrecision::BFloat16 && !bf16_inference_supported(&why_not))
    throw Error(flag + " bf16 cannot run here: " + why_not + "; use " + flag + " fp32");
  current.store(precision);
}

ReducedPrecisionInference::~ReducedPrecisionInference() { current.store(saved_); }

}  // namespace idml
