// Dynamic batching for `idml serve`: queries that arrive together share one
// forward pass and one index search (one per distinct k). One thread runs
// every pass; the first query of a batch waits at most `max_wait` for
// companions (none once `max_batch` have arrived), and a query arriving while
// a pass runs joins the next one, so the batch grows with the load.
// Admission is bounded: at most `capacity` queries are admitted at once
// (decoding, waiting or in a pass); the server answers the next one 503.
// Not here: decoding (the HTTP threads do it, in parallel), HTTP.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "serve/embedder.h"
#include "serve/served_index.h"

namespace idml::serve {

struct BatchingOptions {
  int64_t max_batch = 16;                     // queries per forward pass; 1 turns batching off
  std::chrono::microseconds max_wait{2000};  // the longest a batch's first query waits for companions
  int64_t capacity = 32;                      // queries admitted at once
  int threads = 0;                            // OpenMP threads of the passes; 0: OpenMP's default
};

struct Query {
  std::vector<float> image;  // (3, S, S), preprocessed (ImagePreprocessor)
  int64_t k = 0;             // neighbours wanted, <= the index size; 0: the embedding only
};

struct Answer {
  ImageEmbedding embedding;
  std::vector<int64_t> rows;        // (k) best first
  std::vector<float> similarities;  // (k) cosine similarity of each row
  int64_t batch_size = 0;           // queries in the pass that answered this one
};

class Batcher {
 public:
  Batcher(Embedder& embedder, const ServedIndex& index, BatchingOptions options);
  ~Batcher();  // stop()
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // One of the `capacity` places; the place is free again when this is destroyed.
  class Admission {
   public:
    Admission(Admission&& other) noexcept : counter_(other.counter_) { other.counter_ = nullptr; }
    Admission& operator=(Admission&&) = delete;
    ~Admission() {
      if (counter_) counter_->fetch_sub(1);
    }

   private:
    friend class Batcher;
    explicit Admission(std::atomic<int64_t>* counter) : counter_(counter) {}
    std::atomic<int64_t>* counter_;
  };
  // A place, or none when `capacity` queries hold one.
  std::optional<Admission> admit();

  // Blocks until the pass holding `query` is done; rethrows that pass's error.
  Answer answer(const Admission& admission, Query query);

  // Answers every query already submitted, then ends the passes' thread;
  // answer() refuses queries after it. Returns when the thread has ended.
  void stop();

  int64_t admitted() const { return admitted_.load(); }
  int64_t queued();  // waiting for a pass
  bool stopping();
  int64_t passes() const { return passes_.load(); }
  const BatchingOptions& options() const { return options_; }

 private:
  struct Pending {
    Query query;
    std::chrono::steady_clock::time_point arrived;
    std::promise<Answer> answer;
  };
  void run();
  std::vector<Pending> next_batch();  // empty: stopping and nothing left
  void process(std::vector<Pending>& batch);

  Embedder& embedder_;
  const ServedIndex& index_;
  BatchingOptions options_;
  std::atomic<int64_t> admitted_{0}, passes_{0};
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything above is built
};

}  // namespace idml::serve
