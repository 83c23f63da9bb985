// Dynamic batching of the server's forward passes; see batcher.h.
#include "serve/batcher.h"

#include <omp.h>

#include <algorithm>
#include <map>

#include "engine/autograd.h"
#include "engine/constant_parameters.h"
#include "engine/error.h"

namespace idml::serve {

Batcher::Batcher(Embedder& embedder, const ServedIndex& index, BatchingOptions options)
    : embedder_(embedder), index_(index), options_(options) {
  IDML_CHECK(options_.max_batch >= 1, "serve: the largest batch must be at least 1, got ", options_.max_batch);
  IDML_CHECK(options_.capacity >= 1, "serve: the queue must hold at least 1 query, got ", options_.capacity);
  IDML_CHECK(options_.max_wait.count() >= 0, "serve: the batching wait cannot be negative");
  IDML_CHECK(embedder_.dim() == index_.dim(), "serve: the model makes ", embedder_.dim(), "-d embeddings but the index holds ",
             index_.dim(), "-d rows: embed the index with the same checkpoint");
  thread_ = std::thread([this] { run(); });
}

Batcher::~Batcher() { stop(); }

void Batcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  arrived_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<Batcher::Admission> Batcher::admit() {
  int64_t now = admitted_.load();
  do {
    if (now >= options_.capacity) return std::nullopt;
  } while (!admitted_.compare_exchange_weak(now, now + 1));
  return Admission(&admitted_);
}

Answer Batcher::answer(const Admission& admission, Query query) {
  IDML_CHECK(admission.counter_ == &admitted_, "serve: a query needs an admission of this batcher");
  IDML_CHECK(query.k >= 0 && query.k <= index_.size(), "serve: k must be in [0, ", index_.size(), "], got ", query.k);
  std::future<Answer> result;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    IDML_CHECK(!stopping_, "serve: the server is stopping");
    queue_.push_back(Pending{std::move(query), std::chrono::steady_clock::now(), {}});
    result = queue_.back().answer.get_future();
  }
  arrived_.notify_one();
  return result.get();
}

int64_t Batcher::queued() {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int64_t>(queue_.size());
}

bool Batcher::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

std::vector<Batcher::Pending> Batcher::next_batch() {
  std::unique_lock<std::mutex> lock(mutex_);
  arrived_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  if (queue_.empty()) return {};
  const size_t full = static_cast<size_t>(options_.max_batch);
  arrived_.wait_until(lock, queue_.front().arrived + options_.max_wait,
                      [&] { return stopping_ || queue_.size() >= full; });
  const size_t n = std::min(full, queue_.size());
  std::vector<Pending> batch;
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void Batcher::run() {
  if (options_.threads > 0) omp_set_num_threads(options_.threads);  // OpenMP's thread count is per thread
  // Every pass runs on this thread, inside one scope: each frozen batch norm
  // is folded once for the server's life (engine/constant_parameters.h).
  NoGradGuard no_grad;
  const ConstantParameters constants;
  for (std::vector<Pending> batch = next_batch(); !batch.empty(); batch = next_batch()) {
    try {
      process(batch);
    } catch (...) {
      for (Pending& p : batch) p.answer.set_exception(std::current_exception());
    }
  }
}

void Batcher::process(std::vector<Pending>& batch) {
  const int64_t n = static_cast<int64_t>(batch.size());
  std::vector<float> images;
  images.reserve(batch.size() * batch[0].query.image.size());
  for (const Pending& p : batch) images.insert(images.end(), p.query.image.begin(), p.query.image.end());
  std::vector<ImageEmbedding> embeddings = embedder_.embed(images, n);
  passes_.fetch_add(1);

  // One search per distinct k among the batch's queries (usually one): a
  // query is searched at its own k, so that its answer does not depend on
  // its companions' (HNSW's candidate list is max(ef, k)).
  std::vector<Answer> answers(batch.size());
  std::map<int64_t, std::vector<int64_t>> by_k;  // k -> the batch positions that want it
  for (int64_t i = 0; i < n; ++i) {
    Answer& a = answers[static_cast<size_t>(i)];
    a.embedding = std::move(embeddings[static_cast<size_t>(i)]);
    a.batch_size = n;
    if (batch[static_cast<size_t>(i)].query.k > 0) by_k[batch[static_cast<size_t>(i)].query.k].push_back(i);
  }
  for (const auto& [k, positions] : by_k) {
    std::vector<float> queries;
    for (int64_t i : positions) {
      const std::vector<float>& semantic = answers[static_cast<size_t>(i)].embedding.semantic;
      queries.insert(queries.end(), semantic.begin(), semantic.end());
    }
    const metrics::NearestNeighbours found = index_.search(queries.data(), static_cast<int64_t>(positions.size()), k);
    for (size_t s = 0; s < positions.size(); ++s) {
      Answer& a = answers[static_cast<size_t>(positions[s])];
      const int64_t* rows = found.neighbours_of(static_cast<int64_t>(s));
      a.rows.assign(rows, rows + k);
      a.similarities.assign(found.similarities.begin() + static_cast<int64_t>(s) * k,
                            found.similarities.begin() + static_cast<int64_t>(s + 1) * k);
    }
  }
  for (int64_t i = 0; i < n; ++i) batch[static_cast<size_t>(i)].answer.set_value(std::move(answers[static_cast<size_t>(i)]));
}

}  // namespace idml::serve
