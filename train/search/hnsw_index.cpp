// Building, checking and opening an HNSW graph with hnswlib (see the header).
// hnswlib's headers define functions that are not inline: this is the one
// translation unit that includes them. They are compiled without hnswlib's
// SSE/AVX code (NO_MANUAL_VECTORIZATION): its prefetches load the link one
// past each list (past an upper level's allocation: AddressSanitizer reports
// it in 0.6.2) and form addresses from whatever is there (UBSan reports the
// pointer overflow). The distance is ours instead (InnerProductSpace16).
#include "train/search/hnsw_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#define NO_MANUAL_VECTORIZATION
#include <hnswlib/hnswlib.h>

#include "engine/error.h"

namespace idml::search {

static_assert(sizeof(size_t) == 8 && sizeof(hnswlib::tableint) == 4 && sizeof(hnswlib::labeltype) == 8,
              "the HNSW file layout below is hnswlib's on a 64-bit platform");

namespace {

// hnswlib's distance of the inner-product space, 1 - <a, b>, as 16
// independent float lanes summed in a fixed order: plain loops the compiler
// vectorises (SSE2 on any x86-64), and the same bits on every CPU, so the
// same rows give the same graph file everywhere.
float inner_product_distance(const void* a_void, const void* b_void, const void* dim_void) {
  const auto* a = static_cast<const float*>(a_void);
  const auto* b = static_cast<const float*>(b_void);
  const size_t d = *static_cast<const size_t*>(dim_void);
  float lanes[16] = {};
  size_t i = 0;
  for (; i + 16 <= d; i += 16)
    for (size_t l = 0; l < 16; ++l) lanes[l] += a[i + l] * b[i + l];
  for (size_t l = 0; i + l < d; ++l) lanes[l] += a[i + l] * b[i + l];
  for (size_t width = 8; width >= 1; width /= 2)  // pairwise: lanes[l] += lanes[l + width]
    for (size_t l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  return 1.0f - lanes[0];
}

class InnerProductSpace16 : public hnswlib::SpaceInterface<float> {
 public:
  explicit InnerProductSpace16(size_t dim) : dim_(dim) {}
  size_t get_data_size() override { return dim_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return inner_product_distance; }
  void* get_dist_func_param() override { return &dim_; }

 private:
  size_t dim_;
};

}  // namespace

struct HnswIndex::Graph {
  explicit Graph(int64_t dim) : space(static_cast<size_t>(dim)) {}
  InnerProductSpace16 space;  // before `hnsw`, which points into it
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
};

namespace {

// hnswlib 0.6's saveIndex header: 13 fields, native byte order, 96 bytes.
struct FileHeader {
  uint64_t offset_level0 = 0, max_elements = 0, count = 0, size_data_per_element = 0, label_offset = 0,
           offset_data = 0;
  int32_t max_level = 0;
  uint32_t enter_point = 0;
  uint64_t max_m = 0, max_m0 = 0, m = 0;
  double mult = 0;
  uint64_t ef_construction = 0;
};
constexpr int64_t kHeaderBytes = 6 * 8 + 4 + 4 + 3 * 8 + 8 + 8;

template <typename T>
T take(const char*& at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  at += sizeof value;
  return value;
}

// A row's link list: a uint32 count and 2M links on the bottom level, M above.
uint64_t bottom_links_bytes(uint64_t m) { return 2 * m * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint); }
uint64_t upper_links_bytes(uint64_t m) { return m * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint); }

// Header and link-list sizes of `path` against what a graph of the expected
// rows holds, before hnswlib allocates anything from them.
void check_file_layout(const std::string& path, const HnswExpectation& expected) {
  std::ifstream in(path, std::ios::binary);
  IDML_CHECK(in, path, ": cannot open the HNSW index");
  char raw[kHeaderBytes];
  IDML_CHECK(in.read(raw, kHeaderBytes), path, ": not an HNSW index (shorter than hnswlib's ", kHeaderBytes,
             "-byte header)");
  const char* at = raw;
  FileHeader h;
  h.offset_level0 = take<uint64_t>(at), h.max_elements = take<uint64_t>(at), h.count = take<uint64_t>(at);
  h.size_data_per_element = take<uint64_t>(at), h.label_offset = take<uint64_t>(at), h.offset_data = take<uint64_t>(at);
  h.max_level = take<int32_t>(at), h.enter_point = take<uint32_t>(at);
  h.max_m = take<uint64_t>(at), h.max_m0 = take<uint64_t>(at), h.m = take<uint64_t>(at);
  h.mult = take<double>(at), h.ef_construction = take<uint64_t>(at);

  const uint64_t n = static_cast<uint64_t>(expected.count), m = static_cast<uint64_t>(expected.m);
  IDML_CHECK(h.count == n && h.max_elements == n, path, ": the HNSW index holds ", h.count, " rows but the index has ",
             n, ": it was built from other embeddings (re-run `idml embed --index hnsw`)");
  IDML_CHECK(h.m == m, path, ": the HNSW index has M = ", h.m, " but its record says M = ", m);
  const uint64_t other_bytes = bottom_links_bytes(m) + sizeof(hnswlib::labeltype);  // per row, besides the vector
  const uint64_t vector_bytes = h.size_data_per_element > other_bytes ? h.size_data_per_element - other_bytes : 0;
  IDML_CHECK(vector_bytes == static_cast<uint64_t>(expected.dim) * sizeof(float), path,
             ": the HNSW index holds vectors of ", vector_bytes / sizeof(float), " floats but the index has D = ",
             expected.dim);
  IDML_CHECK(h.max_m == m && h.max_m0 == 2 * m && h.mult == 1 / std::log(1.0 * double(m)) && h.offset_level0 == 0 &&
                 h.offset_data == bottom_links_bytes(m) &&
                 h.label_offset == bottom_links_bytes(m) + vector_bytes && h.max_level >= 0 && h.max_level < 64 &&
                 h.enter_point < n,
             path, ": not an HNSW index of hnswlib 0.6 (its header is inconsistent)");
  const uint64_t file_bytes = static_cast<uint64_t>(expected.file.bytes);
  const uint64_t lists_start = kHeaderBytes + n * h.size_data_per_element;
  IDML_CHECK(lists_start <= file_bytes, path, ": the HNSW index is truncated (", file_bytes, " bytes, its rows alone take ",
             lists_start, ")");
  // The upper levels' link lists: per row a uint32 byte count, a whole number of levels.
  std::vector<char> lists(file_bytes - lists_start);
  in.seekg(static_cast<std::streamoff>(lists_start));
  IDML_CHECK(in.read(lists.data(), static_cast<std::streamsize>(lists.size())), path, ": cannot read the HNSW index");
  uint64_t offset = 0;
  for (uint64_t i = 0; i < n; ++i) {
    IDML_CHECK(offset + 4 <= lists.size(), path, ": the HNSW index is truncated (row ", i, "'s links are missing)");
    uint32_t bytes;
    std::memcpy(&bytes, lists.data() + offset, 4);
    IDML_CHECK(bytes % upper_links_bytes(m) == 0 && bytes / upper_links_bytes(m) <= uint64_t(h.max_level), path,
               ": the HNSW index is damaged (row ", i, " has ", bytes, " bytes of upper-level links)");
    offset += 4 + uint64_t(bytes);
  }
  IDML_CHECK(offset == lists.size(), path, ": the HNSW index is damaged (",
             offset > lists.size() ? "truncated" : "bytes after its last row", ")");
}

// The graph hnswlib read: labels, links and vectors (see the header).
void check_graph(const std::string& path, const hnswlib::HierarchicalNSW<float>& g, const float* rows, int64_t n,
                 int64_t d) {
  IDML_CHECK(static_cast<int64_t>(g.cur_element_count) == n, path, ": the HNSW index holds ", g.cur_element_count,
             " rows, expected ", n);
  IDML_CHECK(g.element_levels_[g.enterpoint_node_] == g.maxlevel_, path,
             ": the HNSW index is damaged (its entry point is not on its top level)");
  for (int64_t i = 0; i < n; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    IDML_CHECK(g.getExternalLabel(id) == static_cast<hnswlib::labeltype>(i), path, ": row ", i, " has label ",
               g.getExternalLabel(id), " (idml labels row i as i)");
    for (int level = 0; level <= g.element_levels_[id]; ++level) {
      const hnswlib::linklistsizeint* list = level == 0 ? g.get_linklist0(id) : g.get_linklist(id, level);
      const uint64_t capacity = level == 0 ? g.maxM0_ : g.maxM_;
      IDML_CHECK(*list <= capacity, path, ": the HNSW index is damaged (row ", i, " level ", level, " lists ", *list,
                 " links, at most ", capacity, ")");  // also a delete mark (bits 16..23): idml never deletes
      const auto* links = reinterpret_cast<const hnswlib::tableint*>(list + 1);
      for (uint32_t j = 0; j < *list; ++j)
        IDML_CHECK(links[j] < uint64_t(n) && g.element_levels_[links[j]] >= level, path,
                   ": the HNSW index is damaged (row ", i, " level ", level, " links to ", links[j], ")");
    }
    IDML_CHECK(std::memcmp(g.getDataByInternalId(id), rows + i * d, sizeof(float) * size_t(d)) == 0, path,
               ": row ", i, "'s vector differs from the embeddings': the HNSW index was built from other embeddings "
               "(re-run `idml embed --index hnsw`)");
  }
}

// fsync a file by name, so that the rename below publishes whole contents.
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  IDML_CHECK(fd >= 0, "cannot open ", path, " to sync it: ", std::strerror(errno));
  const int failed = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  IDML_CHECK(failed == 0, "cannot sync ", path, ": ", std::strerror(error));
}

}  // namespace

HnswIndex::HnswIndex(std::unique_ptr<Graph> graph, int64_t count, int64_t dim)
    : graph_(std::move(graph)), count_(count), dim_(dim) {}

HnswIndex::~HnswIndex() = default;

FileFingerprint HnswIndex::build(const float* rows, int64_t n, int64_t d, const HnswBuildOptions& options,
                                 const std::string& path) {
  IDML_CHECK(n >= 1 && n < int64_t(UINT32_MAX) && d >= 1, "HNSW index ", path, ": need 1 to 2^32 - 2 rows and D >= 1, got ",
             n, " x ", d);
  IDML_CHECK(options.m >= 2 && options.m <= 10000, "--hnsw-m must be in [2, 10000], got ", options.m);
  IDML_CHECK(options.ef_construction >= 1, "--hnsw-ef-construction must be at least 1, got ", options.ef_construction);
  const std::string temporary = path + "." + std::to_string(::getpid()) + ".tmp";
  try {
    Graph graph(d);
    graph.hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(&graph.space, size_t(n), size_t(options.m),
                                                                   size_t(options.ef_construction), size_t(options.seed));
    graph.hnsw->metric_distance_computations = 0;  // hnswlib 0.6.2 leaves these two uninitialised
    graph.hnsw->metric_hops = 0;
    const int64_t step = std::max<int64_t>(1, n / 100);
    for (int64_t i = 0; i < n; ++i) {
      graph.hnsw->addPoint(rows + i * d, hnswlib::labeltype(i));
      if (options.on_progress && ((i + 1) % step == 0 || i + 1 == n)) options.on_progress(i + 1, n);
    }
    graph.hnsw->saveIndex(temporary);  // unchecked writes: the size below finds a short file
    uint64_t expected = kHeaderBytes + uint64_t(n) * graph.hnsw->size_data_per_element_;
    for (int64_t i = 0; i < n; ++i)
      expected += 4 + uint64_t(graph.hnsw->element_levels_[size_t(i)]) * graph.hnsw->size_links_per_element_;
    const FileFingerprint written = fingerprint_file(temporary);
    IDML_CHECK(uint64_t(written.bytes) == expected, "cannot write ", path, ": ", written.bytes, " of ", expected,
               " bytes written (disk full?)");
    sync_file(temporary);
    std::filesystem::rename(temporary, path);
    return written;
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    if (dynamic_cast<const Error*>(&e) != nullptr) throw;
    throw Error(detail::concat("HNSW index ", path, ": ", e.what()));
  }
}

std::unique_ptr<HnswIndex> HnswIndex::open(const std::string& path, const HnswExpectation& expected, const float* rows) {
  IDML_CHECK(std::filesystem::exists(path), path, " does not exist (its index record lists an HNSW index: re-run ",
             "`idml embed --index hnsw`)");
  const FileFingerprint found = fingerprint_file(path);
  IDML_CHECK(found.bytes == expected.file.bytes, path, " has ", found.bytes, " bytes but its index record says ",
             expected.file.bytes, ": truncated, or written by another `idml embed` run");
  IDML_CHECK(found.xxh3 == expected.file.xxh3, path, " has checksum xxh3 ", found.xxh3, " but its index record says ",
             expected.file.xxh3, ": damaged, or written by another `idml embed` run");
  check_file_layout(path, expected);
  auto graph = std::make_unique<Graph>(expected.dim);
  try {
    graph->hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(&graph->space, path, false, size_t(expected.count));
  } catch (const std::exception& e) {
    throw Error(detail::concat(path, ": hnswlib cannot read the HNSW index: ", e.what()));
  }
  check_graph(path, *graph->hnsw, rows, expected.count, expected.dim);
  // hnswlib 0.6.2's loadIndex leaves these uninitialised; no row is deleted (checked above).
  graph->hnsw->num_deleted_ = 0;
  graph->hnsw->metric_distance_computations = 0;
  graph->hnsw->metric_hops = 0;
  // searchKnn(query, n) walks with a candidate list of max(ef_, n) and keeps
  // n: with the graph's shared ef_ at 1, each call's n is its own ef.
  graph->hnsw->setEf(1);
  return std::unique_ptr<HnswIndex>(new HnswIndex(std::move(graph), expected.count, expected.dim));
}

std::vector<int64_t> HnswIndex::candidates(const float* query, int64_t ef) const {
  IDML_CHECK(ef >= 1, "HNSW search: ef must be at least 1, got ", ef);
  auto found = graph_->hnsw->searchKnn(query, size_t(ef));
  std::vector<int64_t> rows;
  rows.reserve(found.size());
  for (; !found.empty(); found.pop()) rows.push_back(int64_t(found.top().second));
  return rows;
}

const float* HnswIndex::row(int64_t i) const {
  return reinterpret_cast<const float*>(graph_->hnsw->getDataByInternalId(hnswlib::tableint(i)));
}

}  // namespace idml::search
