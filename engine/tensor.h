// Tensor: a cheap shared handle to (storage, offset, shape, dtype, device)
// plus autograd metadata. Always contiguous; its bytes are row-major (NCHW for
// images) unless layout() names a backend's own arrangement of them (oneDNN's
// blocked nChw16c between convolutions), as PyTorch's memory_format does.
//
// Copying a Tensor copies the handle, not the data (like torch.Tensor).
// Ops live in engine/ops.h; this header holds the handle, factories and
// host transfers.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "engine/device.h"
#include "engine/dtype.h"
#include "engine/error.h"
#include "engine/shape.h"
#include "engine/storage.h"

namespace idml {

class Node;
class Generator;
class Tensor;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  DType dtype = DType::Float32;
  // autograd
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<Node> grad_fn;  // null for leaves
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return impl().shape; }
  int64_t dim() const { return static_cast<int64_t>(impl().shape.size()); }
  int64_t size(int64_t d) const;  // negative d counts from the end
  int64_t numel() const { return shape_numel(impl().shape); }
  DType dtype() const { return impl().dtype; }
  Device device() const { return impl().storage->device(); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype()); }
  // "float32[2, 3] on cpu", with ", layout oneDNN nChw16c" when not plain: for error messages
  std::string str() const;
  // str() and the autograd state: "float32[2, 3] on cpu, requires_grad, grad_fn=conv2d"
  std::string repr() const;

  // --- physical layout (engine/storage.h) ---
  // Null for the plain row-major layout, else the backend's arrangement the
  // op that made this tensor left it in. Changed only by the named
  // conversions to_plain / to_layout (engine/ops.h), which make a new tensor.
  const std::shared_ptr<const StoredLayout>& layout() const;
  bool is_plain() const { return layout() == nullptr; }
  std::string layout_name() const;  // "plain", "oneDNN nChw16c"

  // Raw element pointer (device memory for CUDA tensors) of a plain tensor;
  // an error naming the layout for any other (convert it with to_plain).
  void* raw_data() const;
  // For kernels that read a backend's own layouts: the bytes as stored, and
  // their layout (null: plain).
  struct StoredBytes {
    void* data;
    std::shared_ptr<const StoredLayout> layout;
  };
  StoredBytes stored_bytes() const;
  // For the op that made this tensor, right after its kernel wrote it in
  // `layout` (null: plain): an error once anything else shares the tensor.
  void set_stored_layout(std::shared_ptr<const StoredLayout> layout) const;
  template <typename T> T* data() const {
    IDML_CHECK(dtype_of<T>() == dtype(), "Tensor::data: tensor is ", dtype_name(dtype()),
               ", asked for ", dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw_data());
  }

  // --- autograd ---
  bool requires_grad() const { return impl().requires_grad; }
  // Only leaves (tensors without grad_fn) can be switched.
  Tensor& set_requires_grad(bool value);
  bool is_leaf() const { return impl().grad_fn == nullptr; }
  const std::shared_ptr<Node>& grad_fn() const { return impl().grad_fn; }
  Tensor grad() const { return Tensor(impl().grad); }
  void set_grad(const Tensor& g) const;
  void zero_grad() const { impl().grad.reset(); }  // like set_to_none=True
  // Reverse-mode differentiation from this tensor. Without an argument the
  // tensor must hold one element and the seed gradient is 1.
  void backward() const;
  void backward(const Tensor& grad_output) const;
  // Same storage, no autograd history.
  Tensor detach() const;

  // --- shape and copies ---
  // Differentiable; shares storage. One dim may be -1.
  Tensor reshape(Shape shape) const;
  Tensor flatten() const { return reshape({numel()}); }
  Tensor clone() const;                 // differentiable deep copy, in the same layout
  Tensor to(Device device) const;       // differentiable device transfer
  Tensor to(DType dtype) const;         // cast (float<->float is differentiable)
  // Element copy of `src` (same shape, any device, same dtype) into this tensor; no autograd.
  void copy_(const Tensor& src) const;

  // --- host access (plain tensors) ---
  template <typename T> std::vector<T> to_vector() const;
  double item() const;  // value of a one-element tensor as double

  bool same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorImpl& impl() const {
    IDML_CHECK(impl_ != nullptr, "use of an undefined Tensor");
    return *impl_;
  }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// Prints repr() (GoogleTest's failure messages use it).
std::ostream& operator<<(std::ostream& os, const Tensor& t);

// --- factories ---
Tensor empty(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
// Test hook: while on, empty() fills each new tensor with NaN (int64: -7), so
// a kernel that leaves part of its output unwritten cannot pass a comparison.
void set_poison_empty_tensors(bool on);
Tensor zeros(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::Float32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::Float32,
            Device device = Device::cpu());
Tensor zeros_like(const Tensor& t);
Tensor scalar_tensor(double value, DType dtype = DType::Float32, Device device = Device::cpu());
// Copies host values; values.size() must equal the shape's element count.
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu());
Tensor from_host(const void* data, const Shape& shape, DType dtype, Device device = Device::cpu());
// 0, 1, ..., n-1 as int64.
Tensor arange(int64_t n, Device device = Device::cpu());
// Uniform in [low, high) and normal(mean, std), drawn on the host from `gen`
// in row-major order, so a seed gives the same values on every device.
Tensor rand(const Shape& shape, Generator& gen, double low = 0.0, double high = 1.0,
            DType dtype = DType::Float32, Device device = Device::cpu());
Tensor randn(const Shape& shape, Generator& gen, double mean = 0.0, double std = 1.0,
             DType dtype = DType::Float32, Device device = Device::cpu());

}  // namespace idml
