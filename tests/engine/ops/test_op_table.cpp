// The CPU runner of the op table (tests/engine/op_table.h): every row's
// forward against its naive reference in float64 and float32, with outputs
// poisoned, and its gradients against finite differences in float64.
#include <gtest/gtest.h>

#include "tests/engine/op_table.h"
#include "tests/engine/test_util.h"

namespace idml::testing {
namespace {

class OpTable : public ::testing::TestWithParam<OpRow> {
 protected:
  void SetUp() override { set_poison_empty_tensors(true); }
  void TearDown() override { set_poison_empty_tensors(false); }
};

void expect_forward_matches(const OpRow& row, const std::vector<Shape>& shapes, Generator& gen) {
  SCOPED_TRACE(row.name + " at " + shape_str(shapes[0]));
  const std::vector<Tensor> inputs = make_inputs(row, shapes, DType::Float64, gen);
  const std::vector<double> expected = host(row.reference(inputs));
  const Tensor y = row.call(inputs);
  EXPECT_EQ(y.shape(), row.reference(inputs).shape());
  expect_near_all(host(y), expected, 1e-12, "float64");
  std::vector<Tensor> inputs32;
  bool any_float = false;
  for (const Tensor& t : inputs) {
    any_float = any_float || t.dtype() == DType::Float64;
    inputs32.push_back(t.dtype() == DType::Float64 ? t.to(DType::Float32) : t);
  }
  if (!any_float) return;  // e.g. one_hot: index inputs only
  const Tensor y32 = row.call(inputs32);
  EXPECT_EQ(y32.dtype(), DType::Float32);
  expect_near_all(host(y32), expected, row.float32_tolerance, "float32");
}

TEST_P(OpTable, ForwardMatchesTheReference) {
  const OpRow& row = GetParam();
  Generator gen(10);
  expect_forward_matches(row, row.shapes, gen);
  if (!row.large_shapes.empty()) expect_forward_matches(row, row.large_shapes, gen);
}

class OpTableGradients : public OpTable {};

TEST_P(OpTableGradients, MatchFiniteDifferences) {
  const OpRow& row = GetParam();
  Generator gen(11);
  std::vector<Tensor> inputs = make_inputs(row, row.shapes, DType::Float64, gen);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (takes_gradient(row.kinds[i])) inputs[i].set_requires_grad(true);
  EXPECT_GRADIENTS_MATCH(row.call, inputs);
}

std::vector<OpRow> differentiable_rows() {
  std::vector<OpRow> rows;
  for (const OpRow& row : op_table())
    if (row.differentiable) rows.push_back(row);
  return rows;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpTable, ::testing::ValuesIn(op_table()), RowName());
INSTANTIATE_TEST_SUITE_P(Ops, OpTableGradients, ::testing::ValuesIn(differentiable_rows()), RowName());

}  // namespace
}  // namespace idml::testing
