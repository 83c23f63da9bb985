// The server's view of an `idml embed` index; see served_index.h.
#include "serve/served_index.h"

namespace idml::serve {

ServedIndex ServedIndex::open(const std::string& prefix) { return ServedIndex(search::load_embedding_index(prefix)); }

metrics::NearestNeighbours ServedIndex::search(const float* queries, int64_t q, int64_t k) const {
  return search::search_index(queries, q, index_.rows.data(), index_.count, index_.dim, k);
}

}  // namespace idml::serve
