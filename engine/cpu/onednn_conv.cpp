// conv2d through oneDNN primitives. Each primitive is created for memory
// formats `any`, so oneDNN chooses its blocked layout (nChw8c with AVX2,
// nChw16c with AVX-512). An operand held in another layout (NCHW, or another
// primitive's) is reordered into scratch from the caching allocator. Under the
// Blocked policy the forward output stays in the primitive's layout, which the
// op names on the output tensor (PrimitiveLayout, Tensor::layout()), so that a
// chain of convolutions reorders only at its ends, and a residual held in the
// primitive's layout is read in place by a binary post-op; weights are
// reordered at the call, except constant ones converted once into the layout
// conv2d_weight_layout names.
// The backward passes read dy in the layout it is held in and may leave dx in
// theirs, so that the gradients between convolutions stay blocked too
// (elementwise ops of same-layout operands keep it: engine/storage.h).
// Inside a bf16 inference scope (engine/precision.h) the forward primitive
// takes bf16 src and weights, so the reorders into its layout also round.
// Padding: oneDNN wants the right/bottom padding that makes the output size
// exact, pad_r = (OH - 1) * stride + (KH - 1) * dilation + 1 - H - pad_l,
// which is below pad_l when the stride drops the last rows (PyTorch floors).
#include "engine/cpu/onednn_conv.h"

#include <omp.h>

#include <array>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <memory>
#include <string>
#include <unordered_map>

#include "engine/cpu/onednn_memory.h"
#include "engine/error.h"
#include "engine/precision.h"

namespace idml::cpu {
namespace onednn {

namespace {

struct ConvShape {
  memory::dims src, weights, dst, bias, strides, dilates, pad_l, pad_r;
};

ConvShape shape_of(const Conv2dGeometry& g) {
  const int64_t pad_b = (g.out_height - 1) * g.stride + (g.kernel_height - 1) * g.dilation + 1 - g.in_height -
                        g.padding;
  const int64_t pad_r = (g.out_width - 1) * g.stride + (g.kernel_width - 1) * g.dilation + 1 - g.in_width -
                        g.padding;
  return {{g.batch, g.in_channels, g.in_height, g.in_width},
          {g.out_channels, g.in_channels, g.kernel_height, g.kernel_width},
          {g.batch, g.out_channels, g.out_height, g.out_width},
          {g.out_channels},
          {g.stride, g.stride},
          {g.dilation - 1, g.dilation - 1},
          {g.padding, g.padding},
          {pad_b, pad_r}};
}

memory::desc any_desc(const memory::dims& dims) { return memory::desc(dims, f32, tag::any); }

// Whether an output may stay in the primitive's layout: asked for, and the Blocked policy.
bool keeps_primitive_layout(OutputLayout wanted) {
  return wanted == OutputLayout::primitive && activation_layout() == ActivationLayout::Blocked;
}

// Whether a pass has a bias (forward: added; backward-weights: its gradient computed).
enum class ConvBias { none, present };
ConvBias bias_of(const void* bias_or_null) { return bias_or_null ? ConvBias::present : ConvBias::none; }

// inputs: the data type of src and weights, f32 or (inference only) bf16;
// bias and dst are always f32.
dnnl::convolution_forward::primitive_desc forward_desc(const Conv2dGeometry& g, ConvBias bias,
                                                       const dnnl::primitive_attr& attr = {},
                                                       memory::data_type inputs = f32) {
  const ConvShape s = shape_of(g);
  const auto kind = inputs == f32 ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  const auto algo = dnnl::algorithm::convolution_direct;
  const memory::desc src(s.src, inputs, tag::any), weights(s.weights, inputs, tag::any);
  const auto d = bias == ConvBias::present
                     ? dnnl::convolution_forward::desc(kind, algo, src, weights, memory::desc(s.bias, f32, tag::x),
                                                       any_desc(s.dst), s.strides, s.dilates, s.pad_l, s.pad_r)
                     : dnnl::convolution_forward::desc(kind, algo, src, weights, any_desc(s.dst), s.strides, s.dilates,
                                                       s.pad_l, s.pad_r);
  return dnnl::convolution_forward::primitive_desc(d, attr, cpu_engine());
}

// The cache key: the geometry, the pass and its options, the thread count
// (oneDNN partitions the work for the threads it sees when it is created).
using Key = std::array<int64_t, 15>;
Key key_of(const Conv2dGeometry& g, int64_t pass, int64_t options) {
  return {g.batch,  g.in_channels, g.in_height,   g.in_width,     g.out_channels,
          g.kernel_height, g.kernel_width, g.stride, g.padding, g.dilation,
          g.out_height, g.out_width, pass, options, omp_get_max_threads()};
}

struct Cached {
  dnnl::primitive primitive;
  memory::desc src, weights, dst;  // as the primitive wants them (diff_* for the backward passes)
  // The layout of what it outputs (forward: dst, backward-data: diff_src,
  // backward-weights: diff_weights), as storable_layout.
  std::shared_ptr<const PrimitiveLayout> out_layout;
  memory::desc residual;  // forward with the residual read in place: its layout
};

template <typename Make>
const Cached& cached(const Key& key, Make make) {
  static std::mutex mutex;
  static std::map<Key, Cached> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make()).first;
  return it->second;
}

// How the forward adds the residual: the sum post-op adds what dst holds (the
// residual copied there first); a binary post-op reads it where it is held.
enum class ResidualAdd { sum_post_op, read_in_place };

// The data type a forward primitive reads src and weights in: f32, or bf16
// inside a bf16 inference scope (engine/precision.h).
memory::data_type input_type() {
  return inference_precision() == InferencePrecision::BFloat16 ? memory::data_type::bf16 : f32;
}

// The forward primitive for (g, bias, epilogue, input type). The residual is
// added by a binary post-op reading it in place when `in_place_residual` (its
// layout) is given, else by the sum post-op.
const Cached& forward_primitive(const Conv2dGeometry& g, ConvBias bias, const ConvEpilogue& epilogue,
                                memory::data_type inputs, const memory::desc* in_place_residual) {
  const bool residual = epilogue.residual.data != nullptr;
  const int64_t options = (bias == ConvBias::present ? 1 : 0) | (residual ? 2 : 0) | (epilogue.relu ? 4 : 0) |
                          (inputs == memory::data_type::bf16 ? 8 : 0) | (in_place_residual ? 16 : 0);
  const auto describe = [&](ResidualAdd add) {
    dnnl::post_ops ops;
    if (add == ResidualAdd::read_in_place) ops.append_binary(dnnl::algorithm::binary_add, *in_place_residual);
    else if (residual) ops.append_sum(1.0f);
    if (epilogue.relu) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    return forward_desc(g, bias, attr, inputs);
  };
  return cached(key_of(g, 0, options), [&] {
    dnnl::convolution_forward::primitive_desc pd;
    if (in_place_residual) {
      // Only where oneDNN runs the same kernel as with the sum post-op (an
      // AVX2 build may refuse the binary post-op or fall back to its gemm
      // path); otherwise an empty entry, and the caller takes the sum path.
      try {
        pd = describe(ResidualAdd::read_in_place);
      } catch (const dnnl::error&) {
        return Cached{};
      }
      if (pd.impl_info_str() != describe(ResidualAdd::sum_post_op).impl_info_str()) return Cached{};
    } else {
      pd = describe(ResidualAdd::sum_post_op);
    }
    Cached out{dnnl::convolution_forward(pd), pd.src_desc(), pd.weights_desc(), pd.dst_desc(),
               storable_layout(pd.dst_desc(), shape_of(g).dst, OperandKind::activation), {}};
    if (in_place_residual) out.residual = *in_place_residual;
    return out;
  });
}

}  // namespace

std::shared_ptr<const StoredLayout> conv2d_forward(Backend& be, const Conv2dGeometry& g, Held x, Held w,
                                                   const float* bias, const ConvEpilogue& epilogue, float* y,
                                                   OutputLayout y_layout) {
  const memory::data_type inputs = input_type();
  const bool residual = epilogue.residual.data != nullptr;
  const bool may_keep_layout = keeps_primitive_layout(y_layout);
  const ConvShape s = shape_of(g);
  const memory::desc residual_held = residual ? held_desc(epilogue.residual, s.dst) : memory::desc();
  // A residual left in a primitive layout is read in place when this
  // primitive computes in that same layout (it does in ResNet's blocks);
  // otherwise it is copied into dst for the sum post-op.
  const Cached* c = nullptr;
  if (residual && epilogue.residual.layout && may_keep_layout) {
    const Cached& in_place = forward_primitive(g, bias_of(bias), epilogue, inputs, &residual_held);
    if (in_place.dst == residual_held && in_place.residual == residual_held) c = &in_place;
  }
  const bool residual_in_place = c != nullptr;
  if (!c) c = &forward_primitive(g, bias_of(bias), epilogue, inputs, nullptr);
  const bool keep_layout = may_keep_layout && c->out_layout;
  Operand src(be, c->src, held_desc(x, s.src), const_cast<float*>(x.data), OperandKind::activation);
  Operand weights(be, c->weights, held_desc(w, s.weights), const_cast<float*>(w.data), OperandKind::weight);
  Operand dst(be, c->dst, keep_layout ? c->dst : memory::desc(s.dst, f32, tag::nchw), y, OperandKind::activation);
  src.read_in();
  weights.read_in();
  const memory residual_mem = residual ? memory(residual_held, cpu_engine(), const_cast<float*>(epilogue.residual.data))
                                       : memory();
  if (residual && !residual_in_place)
    reorder(residual_mem, dst.mem(), OperandKind::activation);  // the sum post-op adds what dst holds
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src.mem()}, {DNNL_ARG_WEIGHTS, weights.mem()}, {DNNL_ARG_DST, dst.mem()}};
  if (bias)
    args.emplace(DNNL_ARG_BIAS, memory(memory::desc(s.bias, f32, tag::x), cpu_engine(), const_cast<float*>(bias)));
  if (residual_in_place) args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, residual_mem);
  c->primitive.execute(cpu_stream(), args);
  dst.write_out();
  cpu_stream().wait();
  return keep_layout ? c->out_layout : nullptr;
}

std::shared_ptr<const StoredLayout> conv2d_weight_layout(const Conv2dGeometry& g, const float* bias,
                                                         const ConvEpilogue& epilogue) {
  if (input_type() != f32) return nullptr;  // a bf16 primitive's weights are rounded at every reorder
  const Cached& c = forward_primitive(g, bias_of(bias), epilogue, f32, nullptr);
  return storable_layout(c.weights, shape_of(g).weights, OperandKind::weight);
}

bool bf16_convolutions_supported(std::string* why_not) {
  // A ResNet-like 3x3 convolution; oneDNN refuses the descriptor, or offers
  // only its reference implementation, when the CPU has no bf16 path.
  const Conv2dGeometry g{1, 64, 14, 14, 64, 3, 3, /*stride*/ 1, /*padding*/ 1, /*dilation*/ 1, 14, 14};
  std::string reason;
  try {
    const auto pd = forward_desc(g, ConvBias::present, {}, memory::data_type::bf16);
    const std::string implementation = pd.impl_info_str();
    if (implementation.rfind("ref", 0) != 0) return true;
    reason = "oneDNN offers only its reference bf16 convolution (" + implementation + "), far slower than fp32";
  } catch (const dnnl::error& e) {
    reason = std::string("oneDNN has no bf16 convolution for this CPU (") + e.what() + ")";
  }
  reason += "; it needs AVX512-BF16, AMX or AVX-512";
  if (why_not) *why_not = reason;
  return false;
}

std::shared_ptr<const StoredLayout> conv2d_backward_input(Backend& be, const Conv2dGeometry& g, Held dy, Held w,
                                                          float* dx, OutputLayout dx_layout) {
  const Cached& c = cached(key_of(g, 1, 0), [&] {
    const ConvShape s = shape_of(g);
    const dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, any_desc(s.src),
                                                  any_desc(s.weights), any_desc(s.dst), s.strides, s.dilates,
                                                  s.pad_l, s.pad_r);
    const dnnl::convolution_backward_data::primitive_desc pd(d, cpu_engine(), forward_desc(g, ConvBias::none));
    return Cached{dnnl::convolution_backward_data(pd), pd.diff_src_desc(), pd.weights_desc(),
                  pd.diff_dst_desc(), storable_layout(pd.diff_src_desc(), s.src, OperandKind::activation), {}};
  });
  const ConvShape s = shape_of(g);
  const bool keep_layout = keeps_primitive_layout(dx_layout) && c.out_layout;
  Operand diff_dst(be, c.dst, held_desc(dy, s.dst), const_cast<float*>(dy.data), OperandKind::activation);
  Operand weights(be, c.weights, held_desc(w, s.weights), const_cast<float*>(w.data), OperandKind::weight);
  Operand diff_src(be, c.src, keep_layout ? c.src : memory::desc(s.src, f32, tag::nchw), dx, OperandKind::activation);
  diff_dst.read_in();
  weights.read_in();
  c.primitive.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, diff_dst.mem()},
                                     {DNNL_ARG_WEIGHTS, weights.mem()},
                                     {DNNL_ARG_DIFF_SRC, diff_src.mem()}});
  diff_src.write_out();
  cpu_stream().wait();
  return keep_layout ? c.out_layout : nullptr;
}

bool backward_weights_by_gemm(const Conv2dGeometry& g) { return g.out_height * g.out_width <= 4; }

std::shared_ptr<const StoredLayout> conv2d_backward_weight(Backend& be, const Conv2dGeometry& g, Held x, Held dy,
                                                           float* dw, float* db, OutputLayout dw_layout) {
  const Cached& c = cached(key_of(g, 2, db ? 1 : 0), [&] {
    const ConvShape s = shape_of(g);
    const auto algo = dnnl::algorithm::convolution_direct;
    const auto d = db ? dnnl::convolution_backward_weights::desc(algo, any_desc(s.src), any_desc(s.weights),
                                                                 memory::desc(s.bias, f32, tag::x), any_desc(s.dst),
                                                                 s.strides, s.dilates, s.pad_l, s.pad_r)
                      : dnnl::convolution_backward_weights::desc(algo, any_desc(s.src), any_desc(s.weights),
                                                                 any_desc(s.dst), s.strides, s.dilates, s.pad_l,
                                                                 s.pad_r);
    const dnnl::convolution_backward_weights::primitive_desc pd(d, cpu_engine(), forward_desc(g, bias_of(db)));
    return Cached{dnnl::convolution_backward_weights(pd), pd.src_desc(), pd.diff_weights_desc(),
                  pd.diff_dst_desc(), storable_layout(pd.diff_weights_desc(), s.weights, OperandKind::weight), {}};
  });
  const ConvShape s = shape_of(g);
  const bool keep_layout = keeps_primitive_layout(dw_layout) && c.out_layout;
  Operand src(be, c.src, held_desc(x, s.src), const_cast<float*>(x.data), OperandKind::activation);
  Operand diff_dst(be, c.dst, held_desc(dy, s.dst), const_cast<float*>(dy.data), OperandKind::activation);
  Operand diff_weights(be, c.weights, keep_layout ? c.weights : memory::desc(s.weights, f32, tag::oihw), dw,
                       OperandKind::weight);
  src.read_in();
  diff_dst.read_in();
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src.mem()}, {DNNL_ARG_DIFF_DST, diff_dst.mem()}, {DNNL_ARG_DIFF_WEIGHTS, diff_weights.mem()}};
  if (db) args.emplace(DNNL_ARG_DIFF_BIAS, memory(memory::desc(s.bias, f32, tag::x), cpu_engine(), db));
  c.primitive.execute(cpu_stream(), args);
  diff_weights.write_out();
  cpu_stream().wait();
  return keep_layout ? c.out_layout : nullptr;
}

}  // namespace onednn
}  // namespace idml::cpu
