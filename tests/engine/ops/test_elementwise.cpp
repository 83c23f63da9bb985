// Elementwise ops beyond the op table (test_op_table.cpp checks every op's
// forward and gradients): the parallel path, masks, expand and its adjoint,
// and the error messages.
#include <gtest/gtest.h>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/reference.h"
#include "tests/engine/test_util.h"

namespace idml {
namespace {

using testing::host;

TEST(ElementwiseOps, LargeBroadcastTakesTheParallelPathAndMatchesTheReference) {
  Generator gen(14);
  const Tensor a = randn({64, 33, 40}, gen), b = randn({33, 1}, gen);
  const std::vector<double> expected =
      host(cpu::reference::broadcast(a, b, [](double x, double y) { return x * y; }));
  const int64_t before = cpu::parallel_loops.load();
  const Tensor y = mul(a, b);
  EXPECT_EQ(cpu::parallel_loops.load(), before + 1) << "mul of 84480 elements ran on one thread";
  testing::expect_near_all(host(y), expected, 1e-6, "mul");
  const int64_t small = cpu::parallel_loops.load();
  mul(randn({33, 40}, gen), b);
  EXPECT_EQ(cpu::parallel_loops.load(), small) << "a small mul took the parallel path";
}

// broadcast_plan merges dims and the CPU kernel walks the innermost one as a
// run with compile-time strides 0 or 1, or a runtime stride: every case
// against the float64 reference.
TEST(ElementwiseOps, BroadcastsOverMergedDimsMatchTheReference) {
  Generator gen(15);
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{64, 32, 3, 3}, {64, 1, 1, 1}},  // the folded batch norm's a * W: (64, 288) x (64, 1)
      {{2, 3, 4, 5}, {1, 3, 1, 5}},     // inner stride 1 on both, middle stride 0
      {{5, 1, 4}, {1, 6, 1}},           // both sides broadcast; inner stride 0 on b
      {{7, 1}, {7, 9}},                 // inner stride 0 on a
      {{1, 1, 1}, {1, 1}},              // one element
      {{3, 0, 2}, {3, 1, 1}}};          // no elements
  for (const auto& [sa, sb] : cases) {
    const Tensor a = randn(sa, gen), b = randn(sb, gen);
    const std::string what = "sub " + shape_str(sa) + " " + shape_str(sb);
    testing::expect_near_all(host(sub(a, b)), host(cpu::reference::broadcast(a, b, [](double x, double y) {
                               return x - y;
                             })),
                             1e-6, what.c_str());
  }
  // where with a broadcast third operand takes the runtime-stride path
  const Tensor cond = gt(randn({2, 1, 3}, gen), zeros({})), x = randn({2, 4, 3}, gen), y = randn({4, 1}, gen);
  const std::vector<float> c = cond.to_vector<float>(), xv = x.to_vector<float>(), yv = y.to_vector<float>(),
                           out = where(cond, x, y).to_vector<float>();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(out[(i * 4 + j) * 3 + k], c[i * 3 + k] != 0 ? xv[(i * 4 + j) * 3 + k] : yv[j]);
}

TEST(ElementwiseOps, ComparisonsGiveMasks) {
  const Tensor a = from_vector<float>({1, 2, 3}, {3}), b = from_vector<float>({2, 2, 2}, {3});
  EXPECT_EQ(eq(a, b).to_vector<float>(), (std::vector<float>{0, 1, 0}));
  EXPECT_EQ(gt(a, b).to_vector<float>(), (std::vector<float>{0, 0, 1}));
  EXPECT_EQ(lt(a, b).to_vector<float>(), (std::vector<float>{1, 0, 0}));
}

TEST(ElementwiseOps, ExpandAndSumToShapeAreAdjoint) {
  Generator gen(16);
  const Tensor x = testing::random_leaf({3, 1}, gen);
  EXPECT_EQ(expand(x, {2, 3, 4}).shape(), (Shape{2, 3, 4}));
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return expand(in[0], {2, 3, 4}); }, {x});
  const Tensor y = testing::random_leaf({2, 3, 4}, gen);
  EXPECT_GRADIENTS_MATCH([](const std::vector<Tensor>& in) { return sum_to_shape(in[0], {3, 1}); }, {y});
  EXPECT_THROW(expand(x, {2, 2}), Error);  // 3 cannot become 2
}

TEST(ElementwiseOps, ErrorsNameTheOpAndShapes) {
  try {
    add(zeros({2, 3}), zeros({4}));
    FAIL();
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("add"), std::string::npos) << m;
    EXPECT_NE(m.find("[2, 3]"), std::string::npos) << m;
    EXPECT_NE(m.find("[4]"), std::string::npos) << m;
  }
  EXPECT_THROW(add(zeros({2}), zeros({2}, DType::Float64)), Error);
  EXPECT_THROW(exp(arange(3)), Error);
  EXPECT_THROW(clamp(zeros({2}), 1, 0), Error);
}

}  // namespace
}  // namespace idml
