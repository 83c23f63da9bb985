// Naive whole-tensor references of the ops (reference.h): each walks the
// output's coordinates and reads the inputs by the op's definition.
#include <cmath>
#include <limits>

#include "engine/cpu/reference.h"
#include "engine/error.h"

namespace idml::cpu::reference {

namespace {

std::vector<double> values(const Tensor& t) { return t.to(Device::cpu()).to(DType::Float64).to_vector<double>(); }

Tensor make(const std::vector<double>& v, const Shape& shape) { return from_vector(v, shape); }

// Row-major coordinates of flat index i in shape, and back.
std::vector<int64_t> coords(int64_t i, const Shape& shape) {
  std::vector<int64_t> c(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    c[d] = i % shape[d];
    i /= shape[d];
  }
  return c;
}
int64_t flat(const std::vector<int64_t>& c, const Shape& shape) {
  int64_t i = 0;
  for (size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + c[d];
  return i;
}

// The element of `x` that broadcasting maps to output coordinates `c`.
int64_t broadcast_source(const std::vector<int64_t>& c, const Shape& x) {
  const size_t lead = c.size() - x.size();
  std::vector<int64_t> xc(x.size());
  for (size_t d = 0; d < x.size(); ++d) xc[d] = x[d] == 1 ? 0 : c[lead + d];
  return flat(xc, x);
}

std::vector<bool> reduced(const std::vector<int64_t>& dims, size_t ndim) {
  std::vector<bool> r(ndim, dims.empty());
  for (int64_t d : dims) r[d < 0 ? d + static_cast<int64_t>(ndim) : d] = true;
  return r;
}

Shape reduced_shape(const Shape& s, const std::vector<bool>& r, KeepDim keepdim) {
  Shape out;
  for (size_t d = 0; d < s.size(); ++d)
    if (!r[d]) out.push_back(s[d]);
    else if (keepdim == KeepDim::yes) out.push_back(1);
  return out;
}

// The output element of a reduction that input coordinates `c` fall into.
int64_t reduced_index(std::vector<int64_t> c, const Shape& s, const std::vector<bool>& r) {
  Shape kept = s;
  for (size_t d = 0; d < s.size(); ++d)
    if (r[d]) c[d] = 0, kept[d] = 1;
  return flat(c, kept);
}

}  // namespace

Tensor map(const Tensor& x, const std::function<double(double)>& f) {
  std::vector<double> v = values(x);
  for (double& e : v) e = f(e);
  return make(v, x.shape());
}

Tensor broadcast(const Tensor& a, const Tensor& b, const std::function<double(double, double)>& f) {
  const Shape out = broadcast_shapes(a.shape(), b.shape(), "reference");
  const std::vector<double> av = values(a), bv = values(b);
  std::vector<double> v(shape_numel(out));
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    const std::vector<int64_t> c = coords(i, out);
    v[i] = f(av[broadcast_source(c, a.shape())], bv[broadcast_source(c, b.shape())]);
  }
  return make(v, out);
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  const Shape out = broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "reference"), "reference");
  const std::vector<double> cv = values(cond), av = values(a), bv = values(b);
  std::vector<double> v(shape_numel(out));
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    const std::vector<int64_t> c = coords(i, out);
    v[i] = cv[broadcast_source(c, cond.shape())] != 0 ? av[broadcast_source(c, a.shape())]
                                                      : bv[broadcast_source(c, b.shape())];
  }
  return make(v, out);
}

Tensor expand(const Tensor& x, const Shape& shape) {
  return broadcast(x, zeros(shape, DType::Float64), [](double v, double) { return v; });
}

Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim) {
  const std::vector<bool> r = reduced(dims, x.dim());
  const Shape out = reduced_shape(x.shape(), r, keepdim);
  const std::vector<double> xv = values(x);
  std::vector<double> v(shape_numel(out), 0.0);
  for (int64_t i = 0; i < x.numel(); ++i) v[reduced_index(coords(i, x.shape()), x.shape(), r)] += xv[i];
  return make(v, out);
}

Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, KeepDim keepdim) {
  const Tensor s = reference::sum(x, dims, keepdim);
  const double count = static_cast<double>(x.numel()) / static_cast<double>(s.numel());
  return map(s, [count](double v) { return v / count; });
}

Tensor max(const Tensor& x, int64_t dim, KeepDim keepdim) {
  const std::vector<bool> r = reduced({dim}, x.dim());
  const Shape out = reduced_shape(x.shape(), r, keepdim);
  const std::vector<double> xv = values(x);
  std::vector<double> v(shape_numel(out), -std::numeric_limits<double>::infinity());
  for (int64_t i = 0; i < x.numel(); ++i) {
    double& m = v[reduced_index(coords(i, x.shape()), x.shape(), r)];
    if (xv[i] > m || std::isnan(xv[i])) m = xv[i];
  }
  return make(v, out);
}

Tensor matmul(const Tensor& a, const Tensor& b, Transpose transpose) {
  const bool transpose_a = transposes_first(transpose), transpose_b = transposes_second(transpose);
  const int64_t m = transpose_a ? a.size(1) : a.size(0), k = transpose_a ? a.size(0) : a.size(1);
  const int64_t n = transpose_b ? b.size(0) : b.size(1);
  std::vector<double> c(m * n);
  matmul(transpose, m, n, k, values(a).data(), values(b).data(), c.data());
  return make(c, {m, n});
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const Tensor y = reference::matmul(x, weight, Transpose::second);
  return bias.defined() ? broadcast(y, bias, [](double u, double v) { return u + v; }) : y;
}

Tensor transpose(const Tensor& x) {
  const int64_t rows = x.size(0), cols = x.size(1);
  const std::vector<double> xv = values(x);
  std::vector<double> v(xv.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) v[c * rows + r] = xv[r * cols + c];
  return make(v, {cols, rows});
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t stride, int64_t padding,
              int64_t dilation) {
  Conv2dGeometry g{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), weight.size(2), weight.size(3),
                   stride, padding, dilation, 0, 0};
  g.out_height = (g.in_height + 2 * padding - dilation * (g.kernel_height - 1) - 1) / stride + 1;
  g.out_width = (g.in_width + 2 * padding - dilation * (g.kernel_width - 1) - 1) / stride + 1;
  std::vector<double> y(g.batch * g.out_channels * g.out_height * g.out_width);
  const std::vector<double> bv = bias.defined() ? values(bias) : std::vector<double>();
  conv2d(g, values(x).data(), values(weight).data(), bias.defined() ? bv.data() : nullptr, y.data());
  return make(y, {g.batch, g.out_channels, g.out_height, g.out_width});
}

Tensor batch_norm_training(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  const int64_t channels = x.size(1), per_channel = x.numel() / channels;
  const int64_t inner = x.numel() / (x.size(0) * channels);  // H * W, or 1
  const std::vector<double> xv = values(x);
  std::vector<double> mean(channels, 0.0), var(channels, 0.0), v(xv.size());
  auto channel_of = [&](int64_t i) { return (i / inner) % channels; };
  for (int64_t i = 0; i < x.numel(); ++i) mean[channel_of(i)] += xv[i] / per_channel;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const double d = xv[i] - mean[channel_of(i)];
    var[channel_of(i)] += d * d / per_channel;
  }
  const std::vector<double> w = weight.defined() ? values(weight) : std::vector<double>(channels, 1.0);
  const std::vector<double> b = bias.defined() ? values(bias) : std::vector<double>(channels, 0.0);
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t c = channel_of(i);
    v[i] = (xv[i] - mean[c]) / std::sqrt(var[c] + eps) * w[c] + b[c];
  }
  return make(v, x.shape());
}

Tensor max_pool2d(const Tensor& x, int64_t kernel, int64_t stride, int64_t padding) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const int64_t oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1;
  const std::vector<double> xv = values(x);
  std::vector<double> v(n * c * oh * ow, -std::numeric_limits<double>::infinity());
  for (int64_t p = 0; p < n * c; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ki = 0; ki < kernel; ++ki)
          for (int64_t kj = 0; kj < kernel; ++kj) {
            const int64_t y = i * stride - padding + ki, z = j * stride - padding + kj;
            if (y < 0 || y >= h || z < 0 || z >= w) continue;
            double& out = v[(p * oh + i) * ow + j];
            out = std::max(out, xv[(p * h + y) * w + z]);
          }
  return make(v, {n, c, oh, ow});
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  Shape out = tensors[0].shape();
  out[dim] = 0;
  for (const Tensor& t : tensors) out[dim] += t.size(dim);
  std::vector<double> v(shape_numel(out));
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    const std::vector<double> tv = values(t);
    for (int64_t i = 0; i < t.numel(); ++i) {
      std::vector<int64_t> c = coords(i, t.shape());
      c[dim] += offset;
      v[flat(c, out)] = tv[i];
    }
    offset += t.size(dim);
  }
  return make(v, out);
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  Shape out = x.shape();
  out[dim] = length;
  const std::vector<double> xv = values(x);
  std::vector<double> v(shape_numel(out));
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    std::vector<int64_t> c = coords(i, out);
    c[dim] += start;
    v[i] = xv[flat(c, x.shape())];
  }
  return make(v, out);
}

Tensor index_select(const Tensor& x, const Tensor& indices) {
  const std::vector<int64_t> idx = indices.to(Device::cpu()).to_vector<int64_t>();
  const int64_t row = x.numel() / x.size(0);
  const std::vector<double> xv = values(x);
  std::vector<double> v;
  for (int64_t r : idx) v.insert(v.end(), xv.begin() + r * row, xv.begin() + (r + 1) * row);
  Shape out = x.shape();
  out[0] = static_cast<int64_t>(idx.size());
  return make(v, out);
}

Tensor gather(const Tensor& x, const Tensor& indices) {
  const std::vector<int64_t> idx = indices.to(Device::cpu()).to_vector<int64_t>();
  const int64_t cols = x.size(1), k = indices.size(1);
  const std::vector<double> xv = values(x);
  std::vector<double> v(idx.size());
  for (size_t i = 0; i < idx.size(); ++i) v[i] = xv[(static_cast<int64_t>(i) / k) * cols + idx[i]];
  return make(v, indices.shape());
}

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  const std::vector<int64_t> l = labels.to(Device::cpu()).to_vector<int64_t>();
  std::vector<double> v(l.size() * num_classes, 0.0);
  for (size_t i = 0; i < l.size(); ++i) v[i * num_classes + l[i]] = 1.0;
  return make(v, {static_cast<int64_t>(l.size()), num_classes});
}

Tensor l2_normalize(const Tensor& x, int64_t dim, double eps) {
  const Tensor squares = reference::sum(map(x, [](double v) { return v * v; }), {dim}, KeepDim::yes);
  const Tensor norm = map(squares, [eps](double v) { return std::sqrt(v + eps); });
  return broadcast(x, norm, [](double u, double n) { return u / n; });
}

}  // namespace idml::cpu::reference
