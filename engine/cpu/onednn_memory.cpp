// oneDNN memory for the CPU convolutions: see onednn_memory.h.
#include "engine/cpu/onednn_memory.h"

#include <algorithm>
#include <atomic>
#include <cctype>

#include "engine/error.h"

namespace idml::cpu::onednn {

namespace {
std::atomic<int64_t> activation_reorder_count{0};
}  // namespace

int64_t activation_reorders() { return activation_reorder_count.load(); }

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream stream(cpu_engine());
  return stream;
}

void reorder(const memory& from, const memory& to, OperandKind kind) {
  if (kind == OperandKind::activation) ++activation_reorder_count;
  memory src = from, dst = to;  // oneDNN's execute takes non-const handles
  dnnl::reorder(src, dst).execute(cpu_stream(), src, dst);
  cpu_stream().wait();
}

memory::desc held_desc(const Held& a, const memory::dims& dims) {
  const memory::desc plain(dims, f32, tag::nchw);
  if (!a.layout) return plain;
  const auto* ours = dynamic_cast<const PrimitiveLayout*>(a.layout);
  IDML_CHECK(ours != nullptr, "oneDNN conv2d: an operand in a layout that is not oneDNN's");
  IDML_CHECK(ours->desc().dims() == dims, "oneDNN conv2d: an operand's stored layout has other dims");
  return ours->desc();
}

std::shared_ptr<const PrimitiveLayout> storable_layout(const memory::desc& computed, const memory::dims& dims,
                                                       OperandKind kind) {
  const memory::desc plain(dims, f32, tag::nchw);
  if (computed == plain || computed.get_size() != plain.get_size()) return nullptr;
  return std::make_shared<PrimitiveLayout>(computed, plain, kind);
}

std::string format_name(const memory::desc& desc, OperandKind kind) {
  const dnnl_memory_desc_t& d = desc.data;
  if (d.format_kind != dnnl_blocked) return "(not a blocked format)";
  const std::string letters = d.ndims == 4 ? (kind == OperandKind::activation ? "nchw" : "oihw") : "abcdefghijkl";
  const dnnl_blocking_desc_t& b = d.format_desc.blocking;
  std::vector<int> order(d.ndims);
  for (int i = 0; i < d.ndims; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int i, int j) { return b.strides[i] > b.strides[j]; });
  std::string name;
  for (int i : order) {
    bool blocked = false;
    for (int k = 0; k < b.inner_nblks; ++k) blocked = blocked || b.inner_idxs[k] == i;
    name += blocked ? static_cast<char>(std::toupper(letters[i])) : letters[i];
  }
  for (int k = 0; k < b.inner_nblks; ++k) name += std::to_string(b.inner_blks[k]) + letters[b.inner_idxs[k]];
  return name;
}

void to_plain(Held a, const std::vector<int64_t>& dims, float* plain) {
  reorder(memory(held_desc(a, dims), cpu_engine(), const_cast<float*>(a.data)),
          memory(memory::desc(dims, f32, tag::nchw), cpu_engine(), plain), OperandKind::activation);
}

}  // namespace idml::cpu::onednn
