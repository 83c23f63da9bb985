// cuDNN descriptors and the one-time choice of a convolution algorithm per
// (pass, dtype, math, geometry); see conv_algorithms.h.
#include "engine/cuda/conv_algorithms.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "engine/cuda/cuda_backend.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

namespace {

cudnnDataType_t cudnn_type(DType dtype) {
  if (dtype == DType::Float32) return CUDNN_DATA_FLOAT;
  if (dtype == DType::Float64) return CUDNN_DATA_DOUBLE;
  throw Error(std::string("conv2d (CUDA): not defined for ") + dtype_name(dtype));
}

int as_int(int64_t v) {
  IDML_CHECK(v >= 0 && v <= INT_MAX, "conv2d (CUDA): size ", v, " exceeds cuDNN's 32-bit sizes");
  return static_cast<int>(v);
}

}  // namespace

bool cudnn_benchmark_mode() {
  static const bool on = [] {
    const char* v = std::getenv("IDML_CUDNN_BENCHMARK");
    return !(v && std::strcmp(v, "0") == 0);
  }();
  return on;
}

namespace {

// One row of any of cuDNN's three perf-result types.
struct Candidate {
  int algorithm;
  cudnnStatus_t status;
  size_t memory;
  cudnnMathType_t math;
};

template <typename Perf>
std::vector<Candidate> candidates(const Perf* perf, int count) {
  std::vector<Candidate> out;
  for (int i = 0; i < count; ++i)
    out.push_back({static_cast<int>(perf[i].algo), perf[i].status, perf[i].memory, perf[i].mathType});
  return out;
}

// The candidates that ran and fit `workspace_limit`, in cuDNN's order (fastest
// first), each algorithm once, appended to `out`.
void append_usable(const std::vector<Candidate>& list, size_t workspace_limit, ConvCandidates& out) {
  for (const Candidate& c : list) {
    if (c.status != CUDNN_STATUS_SUCCESS || c.memory > workspace_limit) continue;
    bool seen = false;
    for (const ConvAlgorithm& a : out) seen |= a.algorithm == c.algorithm && a.math == c.math;
    if (!seen) out.push_back({c.algorithm, c.math, c.memory});
  }
}

}  // namespace

cudnnMathType_t conv_math_type(DType dtype) {
  if (dtype == DType::Float32 && !current_math_options().tf32_conv) return CUDNN_FMA_MATH;
  return CUDNN_DEFAULT_MATH;
}

ConvKey make_conv_key(ConvPass pass, DType dtype, cudnnMathType_t math, const Conv2dGeometry& g) {
  return {{static_cast<int64_t>(pass), static_cast<int64_t>(dtype), static_cast<int64_t>(math), g.batch,
           g.in_channels, g.in_height, g.in_width, g.out_channels, g.kernel_height, g.kernel_width, g.stride,
           g.padding, g.dilation}};
}

ConvDescriptors::ConvDescriptors(DType dtype, const Conv2dGeometry& g, cudnnMathType_t math_type) : math(math_type) {
  const cudnnDataType_t t = cudnn_type(dtype);
  IDML_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
  IDML_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
  IDML_CUDNN_CHECK(cudnnCreateTensorDescriptor(&bias));
  IDML_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
  IDML_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
  IDML_CUDNN_CHECK(cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, t, as_int(g.batch), as_int(g.in_channels),
                                              as_int(g.in_height), as_int(g.in_width)));
  IDML_CUDNN_CHECK(cudnnSetFilter4dDescriptor(w, t, CUDNN_TENSOR_NCHW, as_int(g.out_channels),
                                              as_int(g.in_channels), as_int(g.kernel_height),
                                              as_int(g.kernel_width)));
  IDML_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv, as_int(g.padding), as_int(g.padding), as_int(g.stride),
                                                   as_int(g.stride), as_int(g.dilation), as_int(g.dilation),
                                                   CUDNN_CROSS_CORRELATION, t));
  IDML_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, math));
  int n = 0, c = 0, h = 0, wd = 0;
  IDML_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(conv, x, w, &n, &c, &h, &wd));
  IDML_CHECK(n == g.batch && c == g.out_channels && h == g.out_height && wd == g.out_width,
             "conv2d (CUDA): cuDNN output ", n, "x", c, "x", h, "x", wd, " differs from the geometry's ", g.batch,
             "x", g.out_channels, "x", g.out_height, "x", g.out_width);
  IDML_CUDNN_CHECK(cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, t, n, c, h, wd));
  IDML_CUDNN_CHECK(cudnnSetTensor4dDescriptor(bias, CUDNN_TENSOR_NCHW, t, 1, c, 1, 1));
}

ConvDescriptors::~ConvDescriptors() {
  cudnnDestroyTensorDescriptor(x);
  cudnnDestroyTensorDescriptor(y);
  cudnnDestroyTensorDescriptor(bias);
  cudnnDestroyFilterDescriptor(w);
  cudnnDestroyConvolutionDescriptor(conv);
}

// For the three passes the pointers are: Forward x, w in, y out;
// BackwardData y (= dy), w in, x (= dx) out; BackwardFilter x, y (= dy) in, w (= dw) out.
const ConvCandidates& CudaBackend::conv_algorithms(ConvPass pass, DType dtype, const Conv2dGeometry& g,
                                                   const ConvDescriptors& d, const void* x, const void* w,
                                                   const void* y) {
  const ConvKey key = make_conv_key(pass, dtype, d.math, g);
  std::lock_guard<std::mutex> lock(conv_mutex_);
  if (auto it = conv_algorithms_.find(key); it != conv_algorithms_.end()) return it->second;

  cudnnHandle_t handle = cudnn();
  constexpr int kMax = 16;  // more than any pass has algorithms
  std::vector<Candidate> heuristic;
  int returned = 0;
  if (pass == ConvPass::Forward) {
    cudnnConvolutionFwdAlgoPerf_t perf[kMax];
    IDML_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(handle, d.x, d.w, d.conv, d.y, kMax, &returned, perf));
    heuristic = candidates(perf, returned);
  } else if (pass == ConvPass::BackwardData) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[kMax];
    IDML_CUDNN_CHECK(
        cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, d.w, d.y, d.conv, d.x, kMax, &returned, perf));
    heuristic = candidates(perf, returned);
  } else {
    cudnnConvolutionBwdFilterAlgoPerf_t perf[kMax];
    IDML_CUDNN_CHECK(
        cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, d.x, d.y, d.conv, d.w, kMax, &returned, perf));
    heuristic = candidates(perf, returned);
  }
  ConvCandidates ranked;
  if (cudnn_benchmark_mode()) {
    // Time every candidate whose workspace fits in what we can allocate (at most 1 GiB).
    size_t limit = 0;
    for (const Candidate& c : heuristic)
      if (c.status == CUDNN_STATUS_SUCCESS && c.memory <= (size_t(1) << 30)) limit = std::max(limit, c.memory);
    void* workspace = nullptr;
    try {
      workspace = allocator_.allocate(limit);
    } catch (const DeviceOutOfMemory&) {
      limit = 0;  // time the algorithms that need no workspace
    }
    std::vector<Candidate> timed;
    cudnnStatus_t status;
    const char* call = pass == ConvPass::Forward        ? "cudnnFindConvolutionForwardAlgorithmEx"
                       : pass == ConvPass::BackwardData ? "cudnnFindConvolutionBackwardDataAlgorithmEx"
                                                        : "cudnnFindConvolutionBackwardFilterAlgorithmEx";
    if (pass == ConvPass::Forward) {
      cudnnConvolutionFwdAlgoPerf_t perf[kMax];
      status = cudnnFindConvolutionForwardAlgorithmEx(handle, d.x, x, d.w, w, d.conv, d.y, const_cast<void*>(y),
                                                      kMax, &returned, perf, workspace, limit);
      if (status == CUDNN_STATUS_SUCCESS) timed = candidates(perf, returned);
    } else if (pass == ConvPass::BackwardData) {
      cudnnConvolutionBwdDataAlgoPerf_t perf[kMax];
      status = cudnnFindConvolutionBackwardDataAlgorithmEx(handle, d.w, w, d.y, y, d.conv, d.x, const_cast<void*>(x),
                                                           kMax, &returned, perf, workspace, limit);
      if (status == CUDNN_STATUS_SUCCESS) timed = candidates(perf, returned);
    } else {
      cudnnConvolutionBwdFilterAlgoPerf_t perf[kMax];
      status = cudnnFindConvolutionBackwardFilterAlgorithmEx(handle, d.x, x, d.y, y, d.conv, d.w,
                                                             const_cast<void*>(w), kMax, &returned, perf, workspace,
                                                             limit);
      if (status == CUDNN_STATUS_SUCCESS) timed = candidates(perf, returned);
    }
    // Straight back to the driver: an exact-size reuse of this block is rare,
    // and kept in the cache for every shape it added up to tens of GB.
    allocator_.free_now(workspace, limit);
    if (status != CUDNN_STATUS_SUCCESS) throw_status("cuDNN", call, cudnnGetErrorString(status), __FILE__, __LINE__);
    append_usable(timed, limit, ranked);
  }
  // Then every other algorithm the heuristics offer, so a smaller workspace is at hand.
  append_usable(heuristic, SIZE_MAX, ranked);
  // Full FP32 stays full FP32 whatever math a perf row reports (as PyTorch asserts).
  if (d.math == CUDNN_FMA_MATH)
    for (ConvAlgorithm& a : ranked) a.math = CUDNN_FMA_MATH;
  IDML_CHECK(!ranked.empty(), "conv2d (CUDA): cuDNN offers no algorithm for pass ", static_cast<int>(pass),
             " of input ", g.batch, "x", g.in_channels, "x", g.in_height, "x", g.in_width, ", weight ",
             g.out_channels, "x", g.in_channels, "x", g.kernel_height, "x", g.kernel_width);
  return conv_algorithms_.emplace(key, std::move(ranked)).first->second;
}

}  // namespace idml::cuda
