// cuDNN descriptors of a conv2d and the cache of chosen algorithms.
//
// The algorithms are ranked once per (pass, dtype, geometry, math mode) and
// kept for the life of the process, like torch.backends.cudnn.benchmark:
// with IDML_CUDNN_BENCHMARK unset or 1, cudnnFind*AlgorithmEx times the
// candidates on the real buffers (its workspace, up to 1 GiB, goes straight
// back to the driver); with IDML_CUDNN_BENCHMARK=0 the heuristics of
// cudnnGet*Algorithm_v7 rank them without running anything. Each call takes
// the first candidate whose workspace the caching allocator can give.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstddef>
#include <tuple>
#include <vector>

#include "engine/backend.h"

namespace idml::cuda {

enum class ConvPass : int { Forward, BackwardData, BackwardFilter };

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
// Every algorithm that can run the pass, fastest first (timed or by the
// heuristics); conv.cpp runs the first whose workspace can be allocated.
using ConvCandidates = std::vector<ConvAlgorithm>;

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
