// sum / mean / max over dims and over all elements.
#include <gtest/gtest.h>

#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

// Naive reduction of x (row-major) over `dims` with f starting at init.
std::vector<double> reduce_reference(const Tensor& x, std::vector<int64_t> dims, bool is_max) {
  const Shape s = x.shape();
  Shape out_shape = s;
  for (int64_t d : dims) out_shape[d] = 1;
  std::vector<double> out(shape_numel(out_shape), is_max ? -1e300 : 0.0);
  const std::vector<double> v = host(x);
  const Shape in_strides = contiguous_strides(s), out_strides = contiguous_strides(out_shape);
  for (int64_t i = 0; i < static_cast<int64_t>(v.size()); ++i) {
    int64_t o = 0;
    for (size_t d = 0; d < s.size(); ++d) o += (out_shape[d] == 1 ? 0 : (i / in_strides[d]) % s[d]) * out_strides[d];
    out[o] = is_max ? std::max(out[o], v[i]) : out[o] + v[i];
  }
  return out;
}

TEST(ReductionOps, SumOverDimsMatchesReference) {
  Generator gen(20);
  const std::vector<std::vector<int64_t>> dim_sets = {{0}, {1}, {2}, {-1}, {0, 2}, {1, 2}, {0, 1, 2}};
  for (int trial = 0; trial < 3; ++trial) {
    const Shape s = testing::random_shape(gen, 3, 6);
    const Tensor x = randn(s, gen, 0, 1, DType::Float64);
    for (const auto& dims : dim_sets) {
      std::vector<int64_t> positive;
      for (int64_t d : dims) positive.push_back(d < 0 ? d + 3 : d);
      const std::vector<double> expected = reduce_reference(x, positive, false);
      testing::expect_near_all(host(sum(x, dims, KeepDim::yes)), expected, 1e-13, "sum keepdim");
      EXPECT_EQ(sum(x, dims, KeepDim::no).dim(), 3 - static_cast<int64_t>(dims.size()));
      testing::expect_near_all(host(sum(x.to(DType::Float32), dims, KeepDim::no)), expected, 1e-5, "sum float");
    }
    testing::expect_near_all(host(sum(x)), reduce_reference(x, {0, 1, 2}, false), 1e-13, "sum all");
  }
}

// Accurate (double accumulation) and bit-identical with 1, 2 and 3 threads:
// one long row (split into chunks), and a long middle axis with inner size 2.
TEST(ReductionOps, LongSumsAreAccurateAndThreadCountIndependent) {
  const int64_t n = 1 << 20;
  const Tensor x = full({n}, 0.1);  // float32 0.1, summed in double
  Generator gen(21);
  const Tensor y = randn({3, 70000, 2}, gen);
  const Tensor z = randn({1, 300000}, gen);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    testing::ThreadCount scope(threads);
    ASSERT_EQ(omp_get_max_threads(), threads);
    EXPECT_NEAR(sum(x).item(), n * static_cast<double>(0.1f), 1e-2);
    testing::expect_near_all(host(sum(y, {1})), reduce_reference(y, {1}, false), 1e-5, "long middle sum");
    std::vector<float> r = sum(x).to_vector<float>();
    for (const Tensor& s : {sum(y, {1}), sum(z, {1})}) {
      const std::vector<float> v = s.to_vector<float>();
      r.insert(r.end(), v.begin(), v.end());
    }
    results.push_back(r);
  }
  EXPECT_EQ(results[0], results[1]) << "1 and 2 threads differ";
  EXPECT_EQ(results[0], results[2]) << "1 and 3 threads differ";
}

TEST(ReductionOps, MeanDividesByTheCount) {
  const Tensor x = from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(mean(x).item(), 3.5);
  EXPECT_EQ(host(mean(x, {1})), (std::vector<double>{2, 5}));
  EXPECT_EQ(host(mean(x, {0}, KeepDim::yes)), (std::vector<double>{2.5, 3.5, 4.5}));
}

TEST(ReductionOps, MaxReturnsValuesAndFirstIndex) {
  const Tensor x = from_vector<double>({1, 5, 5, 2, 0, -1}, {2, 3});
  const MaxResult r = max(x, 1);
  EXPECT_EQ(host(r.values), (std::vector<double>{5, 2}));
  EXPECT_EQ(r.indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(max(x).item(), 5);
  Generator gen(22);
  const Tensor y = randn({4, 5, 3}, gen, 0, 1, DType::Float64);
  for (int64_t d = 0; d < 3; ++d)
    testing::expect_near_all(host(max(y, d, KeepDim::yes).values), reduce_reference(y, {d}, true), 0, "max");
}

TEST(ReductionOps, BackwardMatchesFiniteDifferences) {
  Generator gen(23);
  const Tensor x = testing::random_leaf({3, 4, 5}, gen);
  using In = std::vector<Tensor>;
  EXPECT_GRADIENTS_MATCH([](const In& in) { return sum(in[0]); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return sum(in[0], {0, 2}); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return sum(in[0], {1}, KeepDim::yes); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return mean(in[0]); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return mean(in[0], {2}); }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return max(in[0], 1).values; }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return max(in[0], 0, KeepDim::yes).values; }, {x});
  EXPECT_GRADIENTS_MATCH([](const In& in) { return max(in[0]); }, {x});
  const Tensor one = testing::random_leaf({1, 1}, gen);  // batch 1
  EXPECT_GRADIENTS_MATCH([](const In& in) { return sum(in[0], {0}); }, {one});
}

TEST(ReductionOps, BadDimsAreErrors) {
  EXPECT_THROW(sum(zeros({2, 3}), {2}), Error);
  EXPECT_THROW(sum(zeros({2, 3}), {0, 0}), Error);
  EXPECT_THROW(max(zeros({2, 0}), 1), Error);
}

}  // namespace
}  // namespace idml
