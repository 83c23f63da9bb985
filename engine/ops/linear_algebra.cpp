// matmul (with transposes), linear and 2-D transpose.
// For C = op(A) op(B):  dop(A) = G op(B)^T,  dop(B) = op(A)^T G, transposed
// back when the operand was; each case is one more matmul.
#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

namespace {
using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;
}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in, Transpose transpose) {
  const bool ta = transposes_first(transpose), tb = transposes_second(transpose);
  const Tensor a = to_plain(a_in), b = to_plain(b_in);
  check_same("matmul", {a, b});
  check_floating("matmul", a);
  check_dim("matmul", a, 2, "a");
  check_dim("matmul", b, 2, "b");
  const int64_t m = ta ? a.size(1) : a.size(0);
  const int64_t k = ta ? a.size(0) : a.size(1);
  const int64_t kb = tb ? b.size(1) : b.size(0);
  const int64_t n = tb ? b.size(0) : b.size(1);
  IDML_CHECK(k == kb, "matmul: inner sizes differ: op(a) is [", m, ", ", k, "] (", a.str(), ", transposed=", ta,
             "), op(b) is [", kb, ", ", n, "] (", b.str(), ", transposed=", tb, ")");
  Tensor out = empty({m, n}, a.dtype(), a.device());
  if (k == 0) {
    backend_of(a).fill(a.dtype(), out.raw_data(), out.numel(), 0.0);
  } else {
    backend_of(a).gemm(a.dtype(), transpose, m, n, k, 1.0, a.raw_data(), a.size(1), b.raw_data(), b.size(1), 0.0,
                       out.raw_data(), n);
  }
  return record(out, "matmul", {a, b}, [ad = a.detach(), bd = b.detach(), transpose](const Tensor& g, const Needs& nd) {
    Tensor ga, gb;
    switch (transpose) {
      case Transpose::none:  // C = A B:  dA = G B^T,  dB = A^T G
        if (nd[0]) ga = matmul(g, bd, Transpose::second);
        if (nd[1]) gb = matmul(ad, g, Transpose::first);
        break;
      case Transpose::first:  // C = A^T B:  dA = B G^T,  dB = A G
        if (nd[0]) ga = matmul(bd, g, Transpose::second);
        if (nd[1]) gb = matmul(ad, g, Transpose::none);
        break;
      case Transpose::second:  // C = A B^T:  dA = G B,  dB = G^T A
        if (nd[0]) ga = matmul(g, bd, Transpose::none);
        if (nd[1]) gb = matmul(g, ad, Transpose::first);
        break;
      case Transpose::both:  // C = A^T B^T:  dA = B^T G^T,  dB = G^T A^T
        if (nd[0]) ga = matmul(bd, g, Transpose::both);
        if (nd[1]) gb = matmul(g, ad, Transpose::both);
        break;
    }
    return Grads{ga, gb};
  });
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  IDML_CHECK(x.dim() == 2 && weight.dim() == 2 && x.size(1) == weight.size(1), "linear: input ", x.str(),
             " does not match weight ", weight.str(), " (expected input (N, ", weight.size(1), "))");
  Tensor out = matmul(x, weight, Transpose::second);
  if (!bias.defined()) return out;
  IDML_CHECK(bias.dim() == 1 && bias.size(0) == weight.size(0), "linear: bias ", bias.str(),
             " does not match weight ", weight.str());
  return add(out, bias);
}

Tensor transpose(const Tensor& x) {
  check_floating("transpose", x);
  check_dim("transpose", x, 2, "input");
  Tensor out = empty({x.size(1), x.size(0)}, x.dtype(), x.device());
  backend_of(x).transpose2d(x.dtype(), to_plain(x).raw_data(), out.raw_data(), x.size(0), x.size(1));
  return record(out, "transpose", {x}, [](const Tensor& g, const Needs&) { return Grads{transpose(g)}; });
}

}  // namespace idml
