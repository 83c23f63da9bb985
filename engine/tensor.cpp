// Tensor handle methods, factories and host transfers.
#include "engine/tensor.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <ostream>

#include "engine/autograd.h"
#include "engine/backend.h"
#include "engine/generator.h"
#include "engine/host_reads.h"

namespace idml {

namespace {
Tensor alias(const Tensor& t, const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl().storage;
  impl->offset = t.impl().offset;
  impl->shape = shape;
  impl->dtype = t.dtype();
  return Tensor(std::move(impl));
}
}  // namespace

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "Tensor::size")]; }

std::string Tensor::str() const {
  if (!defined()) return "undefined";
  std::string out = std::string(dtype_name(dtype())) + shape_str(shape()) + " on " + device().str();
  if (!is_plain()) out += ", layout " + layout_name();
  return out;
}

std::string Tensor::repr() const {
  if (!defined()) return "undefined";
  std::string out = str();
  if (requires_grad()) out += ", requires_grad";
  if (grad_fn()) out += ", grad_fn=" + grad_fn()->name();
  return out;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.repr(); }

const std::shared_ptr<const StoredLayout>& Tensor::layout() const { return impl().storage->layout(); }

std::string Tensor::layout_name() const { return is_plain() ? "plain" : layout()->name(); }

void* Tensor::raw_data() const {
  IDML_CHECK(is_plain(), "raw_data: ", str(), " is not in the plain layout; convert it with to_plain (engine/ops.h)");
  return static_cast<char*>(impl().storage->data()) + impl().offset * static_cast<int64_t>(dtype_size(dtype()));
}

Tensor::StoredBytes Tensor::stored_bytes() const {
  if (is_plain()) return {raw_data(), nullptr};
  return {impl().storage->data(), layout()};  // a stored layout spans its whole storage (set_stored_layout)
}

void Tensor::set_stored_layout(std::shared_ptr<const StoredLayout> layout) const {
  const TensorImpl& t = impl();
  IDML_CHECK(t.offset == 0 && static_cast<size_t>(numel()) * dtype_size(dtype()) == t.storage->nbytes(),
             "set_stored_layout: ", str(), " is a view of a larger storage");
  IDML_CHECK(impl_.use_count() == 1 && t.storage.use_count() == 1, "set_stored_layout: ", str(),
             " is already shared; only the op that made a tensor sets its layout");
  t.storage->set_layout(std::move(layout));
}

Tensor& Tensor::set_requires_grad(bool value) {
  IDML_CHECK(is_leaf(), "set_requires_grad: only leaf tensors can be switched (", str(), " has a grad_fn)");
  IDML_CHECK(!value || is_floating(dtype()), "set_requires_grad: ", str(), " is not a float tensor");
  impl().requires_grad = value;
  return *this;
}

void Tensor::set_grad(const Tensor& g) const {
  if (g.defined())
    IDML_CHECK(g.shape() == shape() && g.dtype() == dtype() && g.device() == device(), "set_grad: gradient ",
               g.str(), " does not match tensor ", str());
  impl().grad = g.impl_ptr();
}

void Tensor::backward() const {
  IDML_CHECK(numel() == 1, "backward: a gradient must be given for a non-scalar output ", str());
  run_backward(*this, ones(shape(), dtype(), device()));
}

void Tensor::backward(const Tensor& grad_output) const { run_backward(*this, grad_output); }

Tensor Tensor::detach() const { return alias(*this, shape()); }

Tensor Tensor::reshape(Shape new_shape) const {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < new_shape.size(); ++i) {
    if (new_shape[i] == -1) {
      IDML_CHECK(infer < 0, "reshape: more than one -1 in ", shape_str(new_shape));
      infer = static_cast<int64_t>(i);
    } else {
      IDML_CHECK(new_shape[i] >= 0, "reshape: negative size in ", shape_str(new_shape));
      known *= new_shape[i];
    }
  }
  if (infer >= 0) {
    IDML_CHECK(known > 0 && numel() % known == 0, "reshape: cannot view ", str(), " as ", shape_str(new_shape));
    new_shape[infer] = numel() / known;
  }
  IDML_CHECK(shape_numel(new_shape) == numel(), "reshape: cannot view ", str(), " as ", shape_str(new_shape));
  Tensor out = alias(*this, new_shape);
  const Shape old_shape = shape();
  return record(out, "reshape", {*this}, [old_shape](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{g.reshape(old_shape)};
  });
}

Tensor Tensor::clone() const {
  Tensor out = empty(shape(), dtype(), device());
  const StoredBytes bytes = stored_bytes();
  if (nbytes() > 0) backend_for(device()).copy(out.raw_data(), bytes.data, nbytes());
  if (bytes.layout) out.set_stored_layout(bytes.layout);
  return record(out, "clone", {*this}, [](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{g};
  });
}

Tensor Tensor::to(Device target) const {
  if (target == device()) return *this;
  Tensor out = empty(shape(), dtype(), target);
  out.copy_(*this);
  const Device source = device();
  return record(out, "to_device", {*this}, [source](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{g.to(source)};
  });
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  Tensor out = empty(shape(), target, device());
  backend_for(device()).cast(dtype(), target, raw_data(), out.raw_data(), numel());
  if (!is_floating(target) || !is_floating(dtype())) return out;
  const DType source = dtype();
  return record(out, "cast", {*this}, [source](const Tensor& g, const std::vector<bool>&) {
    return std::vector<Tensor>{g.to(source)};
  });
}

void Tensor::copy_(const Tensor& src) const {
  IDML_CHECK(src.shape() == shape() && src.dtype() == dtype(), "copy_: source ", src.str(),
             " does not match destination ", str());
  impl().storage->set_host_known_range(std::nullopt);  // the values change
  if (nbytes() == 0) return;
  if (src.device() == device()) {
    backend_for(device()).copy(raw_data(), src.raw_data(), nbytes());
  } else if (src.device().is_cpu()) {
    backend_for(device()).copy_from_host(raw_data(), src.raw_data(), nbytes());
  } else if (device().is_cpu()) {
    count_host_read();
    backend_for(src.device()).copy_to_host(raw_data(), src.raw_data(), nbytes());
  } else {  // between two GPUs, through the host
    count_host_read();
    std::vector<char> host(nbytes());
    backend_for(src.device()).copy_to_host(host.data(), src.raw_data(), nbytes());
    backend_for(device()).copy_from_host(raw_data(), host.data(), nbytes());
  }
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  IDML_CHECK(dtype_of<T>() == dtype(), "to_vector: tensor is ", str(), ", asked for ", dtype_name(dtype_of<T>()));
  std::vector<T> out(static_cast<size_t>(numel()));
  count_host_read();  // on a GPU this waits for the queued work; counted on every device (host_reads.h)
  if (!out.empty()) backend_for(device()).copy_to_host(out.data(), raw_data(), nbytes());
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

double Tensor::item() const {
  IDML_CHECK(numel() == 1, "item: tensor ", str(), " does not hold exactly one element");
  switch (dtype()) {
    case DType::Float32: return to_vector<float>()[0];
    case DType::Float64: return to_vector<double>()[0];
    case DType::Int64: return static_cast<double>(to_vector<int64_t>()[0]);
  }
  return 0;
}

// ---- factories ----

namespace {
std::atomic<bool> poison_empty_tensors{false};
}  // namespace

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t d : shape) IDML_CHECK(d >= 0, "empty: negative dimension in ", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  // At least one byte so that every tensor has a real allocation.
  const size_t nbytes = std::max<size_t>(1, static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype));
  impl->storage = std::make_shared<Storage>(nbytes, device);
  impl->shape = shape;
  impl->dtype = dtype;
  if (poison_empty_tensors.load(std::memory_order_relaxed)) {
    const double junk = dtype == DType::Int64 ? -7.0 : std::numeric_limits<double>::quiet_NaN();
    backend_for(device).fill(dtype, impl->storage->data(), shape_numel(shape), junk);
  }
  return Tensor(std::move(impl));
}

void set_poison_empty_tensors(bool on) { poison_empty_tensors.store(on); }

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  backend_for(device).fill(dtype, t.raw_data(), t.numel(), value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor from_host(const void* data, const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  if (t.numel() > 0) backend_for(device).copy_from_host(t.raw_data(), data, t.nbytes());
  if (dtype == DType::Int64 && t.numel() > 0) {  // index checks then need no device read
    const auto* values = static_cast<const int64_t*>(data);
    const auto [lowest, highest] = std::minmax_element(values, values + t.numel());
    t.impl().storage->set_host_known_range(Storage::ValueRange{*lowest, *highest});
  }
  return t;
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device) {
  IDML_CHECK(static_cast<int64_t>(values.size()) == shape_numel(shape), "from_vector: ", values.size(),
             " values for shape ", shape_str(shape));
  return from_host(values.data(), shape, dtype_of<T>(), device);
}
template Tensor from_vector<float>(const std::vector<float>&, const Shape&, Device);
template Tensor from_vector<double>(const std::vector<double>&, const Shape&, Device);
template Tensor from_vector<int64_t>(const std::vector<int64_t>&, const Shape&, Device);

Tensor arange(int64_t n, Device device) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = i;
  return from_vector(values, {n}, device);
}

namespace {
template <typename Draw>
Tensor host_random(const Shape& shape, DType dtype, Device device, Draw draw) {
  IDML_CHECK(is_floating(dtype), "rand/randn: dtype must be floating, got ", dtype_name(dtype));
  const int64_t n = shape_numel(shape);
  if (dtype == DType::Float64) {
    std::vector<double> values(n);
    for (auto& v : values) v = draw();
    return from_vector(values, shape, device);
  }
  std::vector<float> values(n);
  for (auto& v : values) v = static_cast<float>(draw());
  return from_vector(values, shape, device);
}
}  // namespace

Tensor rand(const Shape& shape, Generator& gen, double low, double high, DType dtype, Device device) {
  return host_random(shape, dtype, device, [&] { return low + (high - low) * gen.uniform(); });
}

Tensor randn(const Shape& shape, Generator& gen, double mean, double std, DType dtype, Device device) {
  return host_random(shape, dtype, device, [&] { return mean + std * gen.normal(); });
}

}  // namespace idml
