// all_gather with its backward, and the bucketed gradient sum.
#include "engine/distributed/all_gather.h"

#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/ops.h"

namespace idml::distributed {

Tensor all_gather(const Tensor& shard, Communicator& comm) {
  IDML_CHECK(shard.dim() >= 1, "all_gather: expected a tensor with a batch dimension, got shape ",
             shape_str(shard.shape()));
  Tensor gathered;
  {
    NoGradGuard no_grad;
    gathered = comm.all_gather(shard.detach());
  }
  const int64_t rows = shard.size(0);
  const int64_t first = rows * comm.rank();
  return record(gathered, "all_gather", {shard},
                [rows, first](const Tensor& grad_output, const std::vector<bool>&) -> std::vector<Tensor> {
                  return {narrow(grad_output, 0, first, rows)};
                });
}

size_t sum_gradients(const std::vector<Tensor>& params, Communicator& comm, size_t bucket_bytes) {
  if (comm.size() == 1) return 0;
  NoGradGuard no_grad;
  size_t collectives = 0;
  std::vector<Tensor> bucket;
  size_t bytes = 0;
  auto flush = [&] {
    if (bucket.empty()) return;
    std::vector<Tensor> flat;
    for (const Tensor& g : bucket) flat.push_back(g.flatten());
    const Tensor packed = bucket.size() == 1 ? flat[0] : concat(flat, 0);
    comm.all_reduce_sum(packed);
    ++collectives;
    if (bucket.size() > 1) {
      int64_t offset = 0;
      for (const Tensor& g : bucket) {
        g.copy_(narrow(packed, 0, offset, g.numel()).reshape(g.shape()));
        offset += g.numel();
      }
    }
    bucket.clear();
    bytes = 0;
  };
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    IDML_CHECK(g.dtype() == DType::Float32, "sum_gradients: expected float32 gradients, got ",
               dtype_name(g.dtype()));
    if (bytes > 0 && bytes + g.nbytes() > bucket_bytes) flush();
    bucket.push_back(g);
    bytes += g.nbytes();
  }
  flush();
  return collectives;
}

}  // namespace idml::distributed
