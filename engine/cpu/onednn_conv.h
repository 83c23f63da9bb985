// conv2d on the CPU through oneDNN (float32): forward, backward-data and
// backward-weights. oneDNN picks the ISA (AVX2, AVX-512, AMX) when it runs and
// its preferred blocked layout for each shape; tensors stay NCHW outside and
// are reordered at the call. Primitives are created once per (shape, bias,
// epilogue, thread count) and cached. The im2col + GEMM code of conv.cpp is
// the reference beside it; which one runs is chosen by conv_implementation().
#pragma once

#include <string>

#include "engine/backend.h"

namespace idml::cpu {

enum class ConvImplementation { Reference, OneDnn };

// The conv2d path of the CPU backend for float32: IDML_CPU_CONV=reference|onednn
// (default onednn), or set_conv_implementation (tests). float64 always takes
// the reference path (oneDNN has no f64 convolutions).
ConvImplementation conv_implementation();
void set_conv_implementation(ConvImplementation implementation);

// Selects the conv implementation for a scope (tests, benchmarks).
class ScopedConvImplementation {
 public:
  explicit ScopedConvImplementation(ConvImplementation i) : saved_(conv_implementation()) {
    set_conv_implementation(i);
  }
  ~ScopedConvImplementation() { set_conv_implementation(saved_); }
  ScopedConvImplementation(const ScopedConvImplementation&) = delete;
  ScopedConvImplementation& operator=(const ScopedConvImplementation&) = delete;

 private:
  ConvImplementation saved_;
};

namespace onednn {

// What runs after conv + bias, fused into the primitive: y = relu?(conv + bias + residual).
struct ConvEpilogue {
  const float* residual = nullptr;  // (N, OC, OH, OW) or null
  bool relu = false;
};

// x (N, C, H, W), w (OC, C, KH, KW), bias (OC) or null, y (N, OC, OH, OW);
// scratch for reordered operands comes from `be` (the CPU backend). Inside a
// ReducedPrecisionInference scope of bf16 (engine/precision.h) x and w are
// rounded to bf16 and the products summed in float32.
void conv2d_forward(Backend& be, const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                    const ConvEpilogue& epilogue, float* y);
// Whether oneDNN has a bf16 convolution (not its slow reference one) for this
// CPU; else false and the reason in why_not.
bool bf16_convolutions_supported(std::string* why_not);

void conv2d_backward_input(Backend& be, const Conv2dGeometry& g, const float* dy, const float* w, float* dx);
void conv2d_backward_weight(Backend& be, const Conv2dGeometry& g, const float* x, const float* dy, float* dw);

}  // namespace onednn
}  // namespace idml::cpu
