// cuDNN descriptors of a conv2d and the cache of chosen algorithms.
//
// An algorithm is chosen once per (pass, dtype, geometry, math mode) and
// kept for the life of the process, like torch.backends.cudnn.benchmark:
// with IDML_CUDNN_BENCHMARK unset or 1, cudnnFind*AlgorithmEx times the
// candidates on the real buffers; with IDML_CUDNN_BENCHMARK=0 the
// heuristics of cudnnGet*Algorithm_v7 pick without running anything. The
// workspace comes from the caching allocator at each call.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstddef>
#include <tuple>

#include "engine/backend.h"

namespace idml::cuda {

enum class ConvPass : int { Forward, BackwardData, BackwardFilter };

// Whether algorithms are timed (IDML_CUDNN_BENCHMARK unset or 1) or picked by heuristics (0).
bool cudnn_benchmark_mode();

struct ConvKey {
  std::array<int64_t, 13> values;  // pass, dtype, math, geometry
  bool operator<(const ConvKey& o) const { return values < o.values; }
};
ConvKey make_conv_key(ConvPass pass, DType dtype, cudnnMathType_t math, const Conv2dGeometry& g);

struct ConvAlgorithm {
  int algorithm = 0;  // cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  size_t workspace_bytes = 0;
};

// x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, OH, OW), bias (1, OC, 1, 1), NCHW.
class ConvDescriptors {
 public:
  ConvDescriptors(DType dtype, const Conv2dGeometry& g, cudnnMathType_t math);
  ~ConvDescriptors();
  ConvDescriptors(const ConvDescriptors&) = delete;
  ConvDescriptors& operator=(const ConvDescriptors&) = delete;

  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnMathType_t math;
};

// Float32 uses TF32 tensor cores only when the math options allow it
// (CUDNN_DEFAULT_MATH); otherwise CUDNN_FMA_MATH keeps full FP32.
cudnnMathType_t conv_math_type(DType dtype);

}  // namespace idml::cuda
