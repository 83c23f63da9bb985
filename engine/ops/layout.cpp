// The named layout conversions: to_plain and to_layout (see engine/ops.h).
// Each makes a new tensor; the input keeps its layout. A gradient passes
// through unchanged: its values do not depend on how x's bytes are arranged,
// and it stays in whatever layout the op after x left it in.
#include "engine/ops.h"
#include "engine/ops/op_utils.h"
#include "engine/storage.h"

namespace idml {

using namespace ops_detail;

namespace {
Tensor record_conversion(const Tensor& out, const char* name, const Tensor& x) {
  return record(out, name, {x}, [](const Tensor& g, const std::vector<bool>&) { return std::vector<Tensor>{g}; });
}
}  // namespace

Tensor to_plain(const Tensor& x) {
  if (x.is_plain()) return x;
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  x.layout()->to_plain(x.stored_bytes().data, out.raw_data());
  return record_conversion(out, "to_plain", x);
}

Tensor to_layout(const Tensor& x, std::shared_ptr<const StoredLayout> layout) {
  if (!layout) return to_plain(x);
  if (!x.is_plain() && x.layout()->same_as(*layout)) return x;
  const Tensor plain = to_plain(x);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  layout->from_plain(plain.raw_data(), out.stored_bytes().data);
  out.set_stored_layout(std::move(layout));
  return record_conversion(out, "to_layout", plain);
}

}  // namespace idml
