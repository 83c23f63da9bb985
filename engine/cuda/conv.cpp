// conv2d with cuDNN: forward (plus bias and residual through cudnnAddTensor, then ReLU), backward
// data and backward filter. x (N, C, H, W), w (OC, C, KH, KW), y (N, OC, OH, OW).
// The algorithms of each pass are ranked once per geometry (conv_algorithms.cpp);
// a call runs the first whose workspace the caching allocator can give
// (conv_fallback.h), borrowed for the call.
#include "engine/cuda/conv_fallback.h"
#include "engine/cuda/cuda_check.h"
#include "engine/cuda/cuda_device_backend.h"

namespace idml::cuda {

namespace {

// cuDNN reads alpha/beta as float for float data and double for double data.
struct Scalars {
  float f[2] = {1.0f, 0.0f};
  double d[2] = {1.0, 0.0};
  const void* one(DType t) const { return t == DType::Float32 ? static_cast<const void*>(&f[0]) : &d[0]; }
  const void* zero(DType t) const { return t == DType::Float32 ? static_cast<const void*>(&f[1]) : &d[1]; }
};

}  // namespace

template <typename Run>
void CudaBackend::run_conv(const ConvCandidates& candidates, ConvDescriptors& d, Run run) {
  run_first_fitting(
      candidates, [&](size_t bytes) { return allocator_.allocate(bytes); },
      [&](const ConvAlgorithm& algo, void* workspace) {
        IDML_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, algo.math));
        run(algo, workspace);
      },
      [&](void* workspace, size_t bytes) { allocator_.deallocate(workspace, bytes); });
}

// Operands are always plain here (conv2d_keeps_own_layout is false).
std::shared_ptr<const StoredLayout> CudaBackend::conv2d_forward(DType dtype, const Conv2dGeometry& g, const void* x,
                                                                const void* w, const void* bias_or_null,
                                                                const ConvEpilogue& epilogue, void* y,
                                                                const ConvLayouts&) {
  if (g.batch == 0 || g.out_channels == 0) return nullptr;
  IDML_CHECK(g.in_channels > 0, "conv2d (CUDA): an input with 0 channels is not supported");
  make_current_device(device_);
  const Scalars s;
  ConvDescriptors d(dtype, g, conv_math_type(dtype));
  cudnnHandle_t handle = cudnn();
  run_conv(conv_algorithms(ConvPass::Forward, dtype, g, d, x, w, y), d,
           [&](const ConvAlgorithm& algo, void* workspace) {
             IDML_CUDNN_CHECK(cudnnConvolutionForward(handle, s.one(dtype), d.x, x, d.w, w, d.conv,
                                                      static_cast<cudnnConvolutionFwdAlgo_t>(algo.algorithm),
                                                      workspace, algo.workspace_bytes, s.zero(dtype), d.y, y));
           });
  if (bias_or_null) {  // y += bias (1, OC, 1, 1) broadcast
    IDML_CUDNN_CHECK(cudnnAddTensor(handle, s.one(dtype), d.bias, bias_or_null, s.one(dtype), d.y, y));
  }
  // The epilogue as separate passes (cuDNN's fused conv + bias + activation is still owed).
  if (epilogue.residual)
    IDML_CUDNN_CHECK(cudnnAddTensor(handle, s.one(dtype), d.y, epilogue.residual, s.one(dtype), d.y, y));
  if (epilogue.relu) unary(UnaryOp::Relu, dtype, y, y, g.batch * g.out_channels * g.out_height * g.out_width, 0, 0);
  return nullptr;
}

std::shared_ptr<const StoredLayout> CudaBackend::conv2d_backward_input(DType dtype, const Conv2dGeometry& g,
                                                                       const void* dy, const void* w, void* dx,
                                                                       const ConvGradLayouts&) {
  if (g.batch == 0 || g.in_channels == 0) return nullptr;
  if (g.out_channels == 0) {  // no output channels: the gradient is 0
    fill(dtype, dx, g.batch * g.in_channels * g.in_height * g.in_width, 0.0);
    return nullptr;
  }
  make_current_device(device_);
  const Scalars s;
  ConvDescriptors d(dtype, g, conv_math_type(dtype));
  cudnnHandle_t handle = cudnn();
  run_conv(conv_algorithms(ConvPass::BackwardData, dtype, g, d, dx, w, dy), d,
           [&](const ConvAlgorithm& algo, void* workspace) {
             IDML_CUDNN_CHECK(cudnnConvolutionBackwardData(
                 handle, s.one(dtype), d.w, w, d.y, dy, d.conv,
                 static_cast<cudnnConvolutionBwdDataAlgo_t>(algo.algorithm), workspace, algo.workspace_bytes,
                 s.zero(dtype), d.x, dx));
           });
  return nullptr;
}

std::shared_ptr<const StoredLayout> CudaBackend::conv2d_backward_weight(DType dtype, const Conv2dGeometry& g,
                                                                        const void* x, const void* dy, void* dw,
                                                                        void* db_or_null, const ConvGradLayouts&) {
  const int64_t w_size = g.out_channels * g.in_channels * g.kernel_height * g.kernel_width;
  if (g.batch == 0) {  // no samples: the gradients are 0
    if (w_size > 0) fill(dtype, dw, w_size, 0.0);
    if (db_or_null && g.out_channels > 0) fill(dtype, db_or_null, g.out_channels, 0.0);
    return nullptr;
  }
  if (g.out_channels == 0 || g.in_channels == 0) return nullptr;  // the forward refuses 0 input channels
  make_current_device(device_);
  const Scalars s;
  ConvDescriptors d(dtype, g, conv_math_type(dtype));
  cudnnHandle_t handle = cudnn();
  if (db_or_null)  // db (1, OC, 1, 1) = the sum of dy over N, OH, OW
    IDML_CUDNN_CHECK(cudnnConvolutionBackwardBias(handle, s.one(dtype), d.y, dy, s.zero(dtype), d.bias, db_or_null));
  run_conv(conv_algorithms(ConvPass::BackwardFilter, dtype, g, d, x, dw, dy), d,
           [&](const ConvAlgorithm& algo, void* workspace) {
             IDML_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
                 handle, s.one(dtype), d.x, x, d.y, dy, d.conv,
                 static_cast<cudnnConvolutionBwdFilterAlgo_t>(algo.algorithm), workspace, algo.workspace_bytes,
                 s.zero(dtype), d.w, dw));
           });
  return nullptr;
}

}  // namespace idml::cuda
