// serve/batcher: queries that arrive while a pass runs share the next pass
// (up to max_batch), admission is bounded, a failed pass fails its queries
// only, and the batcher answers every submitted query before it stops. The
// embedder is a stand-in whose passes the test holds and counts.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/error.h"
#include "serve/batcher.h"
#include "io/atomic_file.h"
#include "io/npy.h"
#include "tests/private_directory.h"
#include "train/metrics/evaluate.h"

namespace idml::serve {
namespace {

constexpr int kSide = 2;  // inputs of 3 x 2 x 2 floats
constexpr int64_t kDim = 4;

std::vector<float> input(float value) { return std::vector<float>(3 * kSide * kSide, value); }

// The embedding of an input whose floats are all v: (v, 1, 0, 0) normalised,
// ambiguity v. Each pass's size is recorded; a pass can be held at its start.
class StandInEmbedder : public Embedder {
 public:
  int64_t dim() const override { return kDim; }
  std::vector<ImageEmbedding> embed(const std::vector<float>& images, int64_t n) override {
    std::unique_lock<std::mutex> lock(mutex_);
    sizes_.push_back(n);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !held_; });
    if (fail_next_) {
      fail_next_ = false;
      throw Error("stand-in pass failed");
    }
    std::vector<ImageEmbedding> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const float v = images[static_cast<size_t>(i * 3 * kSide * kSide)];
      out[static_cast<size_t>(i)].semantic = {v, 1, 0, 0};
      metrics::l2_normalize(out[static_cast<size_t>(i)].semantic.data(), 1, kDim);
      out[static_cast<size_t>(i)].uncertainty = {0, 0, 0, 1};
      out[static_cast<size_t>(i)].ambiguity = v;
    }
    return out;
  }
  void hold() {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      held_ = false;
    }
    changed_.notify_all();
  }
  void fail_next() {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_next_ = true;
  }
  void wait_for_passes(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return sizes_.size() >= count; });
  }
  std::vector<int64_t> sizes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sizes_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<int64_t> sizes_;
  bool held_ = false, fail_next_ = false;
};

// rows (count, dim) and made-up paths, written as an index without a record, opened.
ServedIndex index_of(const std::vector<float>& rows, int64_t count, int64_t dim, const std::string& name) {
  std::string paths;
  for (int64_t r = 0; r < count; ++r) paths += "c/" + std::to_string(r) + ".jpg\n";
  const std::string prefix = (testing::fresh_directory(name) / "rows").string();
  npy::write_npy(prefix + ".npy", rows.data(), {count, dim});
  io::write_file_atomically(prefix + "_paths.txt", paths);
  return ServedIndex(search::Index::open(prefix));
}

ServedIndex small_index() {  // rows (r, 1, 0, 0) normalised, r = 0..9
  std::vector<float> rows;
  for (int r = 0; r < 10; ++r) rows.insert(rows.end(), {float(r), 1, 0, 0});
  metrics::l2_normalize(rows.data(), 10, kDim);
  return index_of(rows, 10, kDim, "small_index");
}

BatchingOptions options(int64_t max_batch, int64_t capacity) {
  BatchingOptions o;
  o.max_batch = max_batch;
  o.capacity = capacity;
  o.max_wait = std::chrono::microseconds(0);
  return o;
}

// Submits one query per admission, each on its own thread (the admissions
// stay with the caller, which outlives the batcher's use).
std::vector<std::thread> submit(Batcher& batcher, std::vector<Batcher::Admission>& admissions,
                                std::vector<Answer>& answers, int first_value) {
  std::vector<std::thread> threads;
  for (size_t i = 0; i < admissions.size(); ++i)
    threads.emplace_back([&batcher, &admissions, &answers, i, first_value] {
      answers[i] = batcher.answer(admissions[i], Query{input(float(first_value + int(i))), 3});
    });
  return threads;
}

std::vector<Batcher::Admission> admit(Batcher& batcher, int count) {
  std::vector<Batcher::Admission> admissions;
  for (int i = 0; i < count; ++i) admissions.push_back(*batcher.admit());
  return admissions;
}

void wait_until_queued(Batcher& batcher, int64_t count) {
  // Polls gently: a tight loop on the batcher's mutex could starve the queries it waits for.
  while (batcher.queued() < count) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

// One query (value 2) starts a pass that the embedder holds; `later` queries
// (values 3, 4, ...) queue behind it; then the pass is released and every
// query answered.
struct Waves {
  std::vector<Answer> first, later;
};
Waves one_pass_then_a_queue(Batcher& batcher, StandInEmbedder& embedder, int later) {
  embedder.hold();
  std::vector<Batcher::Admission> first = admit(batcher, 1), rest = admit(batcher, later);
  Waves answers{std::vector<Answer>(1), std::vector<Answer>(static_cast<size_t>(later))};
  std::vector<std::thread> threads = submit(batcher, first, answers.first, 2);
  embedder.wait_for_passes(1);  // the first query's pass has started, and is held
  std::vector<std::thread> more = submit(batcher, rest, answers.later, 3);
  wait_until_queued(batcher, later);
  embedder.release();
  for (auto& t : threads) t.join();
  for (auto& t : more) t.join();
  return answers;
}

TEST(Batcher, QueriesArrivingDuringAPassShareTheNext) {
  StandInEmbedder embedder;
  const ServedIndex index = small_index();
  Batcher batcher(embedder, index, options(16, 64));
  const Waves answers = one_pass_then_a_queue(batcher, embedder, 5);
  EXPECT_EQ(embedder.sizes(), (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(answers.first[0].batch_size, 1);
  for (int i = 0; i < 5; ++i) {
    const Answer& a = answers.later[static_cast<size_t>(i)];
    EXPECT_EQ(a.batch_size, 5);
    EXPECT_EQ(a.embedding.ambiguity, float(3 + i));  // each query gets its own answer
    EXPECT_EQ(a.rows[0], 3 + i);
  }
}

// A pass takes the queued queries up to max_batch; with max_batch 1 every query has its own pass.
TEST(Batcher, APassTakesTheQueuedQueriesUpToMaxBatch) {
  struct Case {
    int64_t max_batch;
    int queued;
    std::vector<int64_t> pass_sizes;
  };
  for (const Case& c : {Case{4, 9, {1, 4, 4, 1}}, Case{1, 3, {1, 1, 1, 1}}}) {
    SCOPED_TRACE("max_batch " + std::to_string(c.max_batch));
    StandInEmbedder embedder;
    const ServedIndex index = small_index();
    Batcher batcher(embedder, index, options(c.max_batch, 64));
    one_pass_then_a_queue(batcher, embedder, c.queued);
    EXPECT_EQ(embedder.sizes(), c.pass_sizes);
  }
}

TEST(Batcher, SearchesTheIndexForEachQueryAtItsOwnK) {
  StandInEmbedder embedder;
  const ServedIndex index = small_index();
  Batcher batcher(embedder, index, options(16, 64));
  std::optional<Batcher::Admission> a = batcher.admit();
  const Answer seven = batcher.answer(*a, Query{input(7), 3});
  EXPECT_EQ(seven.rows, (std::vector<int64_t>{7, 8, 6}));  // (7,1) is closest to itself, then its neighbours
  EXPECT_NEAR(seven.similarities[0], 1.0f, 1e-6f);
  const Answer embed_only = batcher.answer(*a, Query{input(7), 0});
  EXPECT_TRUE(embed_only.rows.empty());
  EXPECT_EQ(embed_only.embedding.ambiguity, 7.0f);
  EXPECT_THROW(batcher.answer(*a, Query{input(1), 11}), Error);  // k beyond the index
}

TEST(Batcher, AdmissionIsBounded) {
  StandInEmbedder embedder;
  const ServedIndex index = small_index();
  Batcher batcher(embedder, index, options(16, 2));
  std::optional<Batcher::Admission> a = batcher.admit(), b = batcher.admit();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(batcher.admit());
  EXPECT_EQ(batcher.admitted(), 2);
  b.reset();
  std::optional<Batcher::Admission> c = batcher.admit();
  EXPECT_TRUE(c);
  EXPECT_FALSE(batcher.admit());
}

TEST(Batcher, AFailedPassFailsItsQueriesAndTheNextPassRuns) {
  StandInEmbedder embedder;
  const ServedIndex index = small_index();
  Batcher batcher(embedder, index, options(16, 64));
  std::optional<Batcher::Admission> a = batcher.admit();
  embedder.fail_next();
  EXPECT_THROW(batcher.answer(*a, Query{input(1), 1}), Error);
  EXPECT_EQ(batcher.answer(*a, Query{input(1), 1}).rows.size(), 1u);
}

TEST(Batcher, StoppingAnswersEveryQueuedQuery) {
  StandInEmbedder embedder;
  const ServedIndex index = small_index();
  Batcher batcher(embedder, index, options(2, 64));
  embedder.hold();
  std::vector<Batcher::Admission> first = admit(batcher, 1), rest = admit(batcher, 3);
  std::vector<Answer> first_answer(1), rest_answers(3);
  std::vector<std::thread> threads = submit(batcher, first, first_answer, 0);
  embedder.wait_for_passes(1);
  std::vector<std::thread> more = submit(batcher, rest, rest_answers, 0);
  wait_until_queued(batcher, 3);
  std::thread stopping([&batcher] { batcher.stop(); });  // returns once the queue is drained
  while (!batcher.stopping()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  embedder.release();
  stopping.join();
  for (auto& t : threads) t.join();
  for (auto& t : more) t.join();
  for (const Answer& a : rest_answers) EXPECT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(embedder.sizes(), (std::vector<int64_t>{1, 2, 1}));
  EXPECT_THROW(batcher.answer(first[0], Query{input(1), 1}), Error);  // stopped
}

TEST(Batcher, RefusesAModelOfAnotherDimension) {
  StandInEmbedder embedder;
  const ServedIndex index = index_of({1, 0, 0, 0, 0}, 1, 5, "five_dims");
  EXPECT_THROW(Batcher(embedder, index, options(1, 1)), Error);
}

}  // namespace
}  // namespace idml::serve
