// conv2d on the CPU as im2col + GEMM (Caffe's scheme), for float32 and
// float64: the path of every float64 convolution (oneDNN has none) and of
// float32 ones under IDML_CPU_CONV=im2col; backward-weights on output maps of
// at most 2 x 2 takes it under oneDNN too (onednn::backward_weights_by_gemm).
// conv.cpp chooses; every operand here is plain NCHW / OIHW.
//   forward:         y_n (OC, OH*OW)  = W (OC, K) @ col_n (K, OH*OW),  K = C*KH*KW
//   backward input:  col_n            = W^T @ dy_n, then col2im adds it into dx_n
//   backward weight: dW              += dy_n @ col_n^T
// The lowering itself (im2col, col2im) is in conv_lowering.h.
#pragma once

#include "engine/backend.h"

namespace idml::cpu::im2col_conv {

// y (N, OC, OH, OW) = relu?(conv(x (N, C, H, W), w (OC, C, KH, KW)) + bias (OC, or null) + residual)
void forward(Backend& be, DType dtype, const Conv2dGeometry& g, const void* x, const void* w, const void* bias,
             const ConvEpilogue& epilogue, void* y);
// dx (N, C, H, W) from dy (N, OC, OH, OW) and w
void backward_input(Backend& be, DType dtype, const Conv2dGeometry& g, const void* dy, const void* w, void* dx);
// dw (OC, C, KH, KW) from x and dy; with db_or_null also db (OC) = sum of dy over (N, OH, OW)
void backward_weight(Backend& be, DType dtype, const Conv2dGeometry& g, const void* x, const void* dy, void* dw,
                     void* db_or_null);

}  // namespace idml::cpu::im2col_conv
