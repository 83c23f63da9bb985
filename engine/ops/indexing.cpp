// concat, narrow, index_select, gather, one_hot.
// Index tensors are int64 on the data's device; their values are checked on
// the host before any kernel runs, so a bad index is an error, never a stray write.
// Indices that came from host values carry their range (Storage::host_known_range),
// so checking them reads no device memory (engine/host_reads.h); other indices are read.
#include "engine/host_reads.h"
#include "engine/ops.h"
#include "engine/ops/op_utils.h"

namespace idml {

using namespace ops_detail;

namespace {

using Grads = std::vector<Tensor>;
using Needs = std::vector<bool>;

void check_indices(const char* op, const Tensor& indices, int64_t limit, const Tensor& x) {
  IDML_CHECK(indices.dtype() == DType::Int64, op, ": indices must be int64, got ", indices.str());
  IDML_CHECK(indices.device() == x.device(), op, ": indices ", indices.str(), " and input ", x.str(),
             " are on different devices");
  if (indices.numel() == 0) return;
  // The range covers the whole storage, so it bounds any view of it; outside the
  // limit, the values themselves decide (and the error names one).
  const auto& known = indices.impl().storage->host_known_range();
  const bool known_inside = known && known->min >= 0 && known->max < limit;
  if (known_inside && !indices.device().is_cpu()) return;
  std::vector<int64_t> copied;
  const int64_t* values = nullptr;
  if (indices.device().is_cpu()) {  // a read a GPU run would wait for, unless the range was known
    if (!known_inside) count_host_read();
    values = indices.data<int64_t>();
  } else {
    copied = indices.to_vector<int64_t>();
    values = copied.data();
  }
  for (int64_t i = 0; i < indices.numel(); ++i)
    IDML_CHECK(values[i] >= 0 && values[i] < limit, op, ": index ", values[i], " out of range [0, ", limit,
               ") for input ", x.str());
}

// int64 values selected from a tensor with a known range stay inside it.
void inherit_known_range(const Tensor& out, const Tensor& from) {
  if (from.dtype() == DType::Int64) out.impl().storage->set_host_known_range(from.impl().storage->host_known_range());
}

int64_t product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p *= s[i];
  return p;
}

}  // namespace

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) {
  IDML_CHECK(!tensors.empty(), "concat: no tensors");
  const Tensor& first = tensors[0];
  const int64_t d = normalize_dim(dim, first.dim(), "concat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (const Tensor& t : tensors) {
    check_same("concat", {first, t});
    IDML_CHECK(t.dim() == first.dim(), "concat: ", t.str(), " and ", first.str(), " differ in rank");
    for (int64_t i = 0; i < t.dim(); ++i)
      IDML_CHECK(i == d || t.shape()[i] == first.shape()[i], "concat: ", t.str(), " and ", first.str(),
                 " differ outside dim ", d);
    out_shape[d] += t.shape()[d];
  }
  Tensor out = empty(out_shape, first.dtype(), first.device());
  const int64_t outer = product(out_shape, 0, d), inner = product(out_shape, d + 1, out_shape.size());
  std::vector<int64_t> sizes;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    const int64_t cols = t.shape()[d] * inner;
    backend_of(t).copy_rows(t.dtype(), to_plain(t).raw_data(), cols,
                            static_cast<char*>(out.raw_data()) + offset * inner * dtype_size(t.dtype()),
                            out_shape[d] * inner, outer, cols);
    sizes.push_back(t.shape()[d]);
    offset += t.shape()[d];
  }
  return record(out, "concat", tensors, [sizes, d](const Tensor& g, const Needs& needs) {
    Grads grads;
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      grads.push_back(needs[i] ? narrow(g, d, start, sizes[i]) : Tensor());
      start += sizes[i];
    }
    return grads;
  });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  const int64_t d = normalize_dim(dim, x.dim(), "narrow");
  IDML_CHECK(start >= 0 && length >= 0 && start + length <= x.shape()[d], "narrow: range [", start, ", ",
             start + length, ") out of bounds for dim ", d, " of ", x.str());
  Shape out_shape = x.shape();
  out_shape[d] = length;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const int64_t outer = product(x.shape(), 0, d), inner = product(x.shape(), d + 1, x.shape().size());
  const Tensor plain = to_plain(x);
  backend_of(x).copy_rows(x.dtype(), static_cast<char*>(plain.raw_data()) + start * inner * dtype_size(x.dtype()),
                          x.shape()[d] * inner, out.raw_data(), length * inner, outer, length * inner);
  inherit_known_range(out, x);
  return record(out, "narrow", {x}, [s = x.shape(), d, start, length](const Tensor& g, const Needs&) {
    // Pad the gradient with zeros around the slice.
    std::vector<Tensor> parts;
    if (start > 0) {
      Shape before = s;
      before[d] = start;
      parts.push_back(zeros(before, g.dtype(), g.device()));
    }
    parts.push_back(g);
    if (start + length < s[d]) {
      Shape after = s;
      after[d] = s[d] - start - length;
      parts.push_back(zeros(after, g.dtype(), g.device()));
    }
    return Grads{parts.size() == 1 ? g : concat(parts, d)};
  });
}

Tensor index_select(const Tensor& x, const Tensor& indices) {
  IDML_CHECK(x.dim() >= 1, "index_select: input must have a dim 0, got ", x.str());
  IDML_CHECK(indices.dim() == 1, "index_select: indices must be 1-d, got ", indices.str());
  check_indices("index_select", indices, x.size(0), x);
  Shape out_shape = x.shape();
  out_shape[0] = indices.size(0);
  Tensor out = empty(out_shape, x.dtype(), x.device());
  const int64_t row = x.size(0) ? x.numel() / x.size(0) : 0;
  backend_of(x).index_select_rows(x.dtype(), to_plain(x).raw_data(), x.size(0), indices.data<int64_t>(),
                                  indices.size(0), row, out.raw_data());
  inherit_known_range(out, x);
  return record(out, "index_select", {x}, [s = x.shape(), idx = indices, row](const Tensor& g, const Needs&) {
    Tensor dx = zeros(s, g.dtype(), g.device());
    backend_of(g).index_add_rows(g.dtype(), to_plain(g).raw_data(), idx.data<int64_t>(), idx.size(0), row,
                                 dx.raw_data(), s[0]);
    return Grads{dx};
  });
}

Tensor gather(const Tensor& x, const Tensor& indices) {
  check_floating("gather", x);
  check_dim("gather", x, 2, "input (R, C)");
  IDML_CHECK(indices.dim() == 2 && indices.size(0) == x.size(0), "gather: indices ", indices.str(),
             " must be (R, K) with R = ", x.size(0));
  check_indices("gather", indices, x.size(1), x);
  const int64_t rows = x.size(0), cols = x.size(1), k = indices.size(1);
  Tensor out = empty({rows, k}, x.dtype(), x.device());
  backend_of(x).gather_cols(x.dtype(), to_plain(x).raw_data(), rows, cols, indices.data<int64_t>(), k,
                            out.raw_data());
  return record(out, "gather", {x}, [idx = indices, rows, cols, k](const Tensor& g, const Needs&) {
    Tensor dx = zeros({rows, cols}, g.dtype(), g.device());
    backend_of(g).scatter_add_cols(g.dtype(), to_plain(g).raw_data(), rows, cols, idx.data<int64_t>(), k,
                                   dx.raw_data());
    return Grads{dx};
  });
}

Tensor one_hot(const Tensor& labels, int64_t num_classes, DType dtype) {
  IDML_CHECK(labels.dim() == 1, "one_hot: labels must be 1-d, got ", labels.str());
  IDML_CHECK(num_classes > 0, "one_hot: num_classes must be positive, got ", num_classes);
  check_indices("one_hot", labels, num_classes, labels);
  Tensor out = empty({labels.size(0), num_classes}, dtype, labels.device());
  backend_of(labels).one_hot(labels.data<int64_t>(), labels.size(0), num_classes, dtype, out.raw_data());
  return out;
}

}  // namespace idml
