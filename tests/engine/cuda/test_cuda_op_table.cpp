// The CUDA runner of the op table (tests/engine/op_table.h): every row,
// forward and backward, on tensors moved to the GPU against the same op on
// the CPU, in float32 (full FP32 math) and float64, with every new tensor
// poisoned (NaN) on both devices, so an output element a kernel forgets to
// write cannot pass. The loss is sum(output * r) for a fixed random r, so
// every output element carries a distinct gradient.
#include "tests/engine/cuda/cuda_test_util.h"
#include "tests/engine/op_table.h"

namespace idml {
namespace {

using namespace cuda_testing;
using testing::OpRow;

class CudaOpTable : public CudaTest, public ::testing::WithParamInterface<OpRow> {
 protected:
  void SetUp() override {
    CudaTest::SetUp();
    set_poison_empty_tensors(true);
  }
  void TearDown() override {
    set_poison_empty_tensors(false);
    CudaTest::TearDown();
  }
};

void expect_cuda_matches_cpu(const OpRow& row, const std::vector<Shape>& shapes, DType dtype, Generator& gen) {
  SCOPED_TRACE(row.name + " at " + shape_str(shapes[0]) + " " + name(dtype));
  const double tol = dtype == DType::Float32 ? row.cuda_float32_tolerance : 1e-9;
  std::vector<Tensor> on_cpu, on_gpu;
  for (const Tensor& host : testing::make_inputs(row, shapes, dtype, gen)) {
    on_cpu.push_back(host.detach());
    on_gpu.push_back(host.to(Device::cuda()).detach());
  }
  for (size_t i = 0; i < on_cpu.size(); ++i) {
    const bool grad = row.differentiable && testing::takes_gradient(row.kinds[i]);
    on_cpu[i].set_requires_grad(grad);
    on_gpu[i].set_requires_grad(grad);
  }
  const Tensor y_cpu = row.call(on_cpu);
  const Tensor y_gpu = row.call(on_gpu);
  ASSERT_TRUE(y_gpu.device().is_cuda());
  expect_close(y_gpu, y_cpu, tol, "forward");
  if (!row.differentiable) return;
  const Tensor r = randn(y_cpu.shape(), gen, 0.0, 1.0, dtype);
  sum(mul(y_cpu, r)).backward();
  sum(mul(y_gpu, r.to(Device::cuda()))).backward();
  for (size_t i = 0; i < on_cpu.size(); ++i) {
    if (!on_cpu[i].requires_grad()) continue;
    ASSERT_TRUE(on_cpu[i].grad().defined()) << "input " << i << " got no gradient on the CPU";
    ASSERT_TRUE(on_gpu[i].grad().defined()) << "input " << i << " got no gradient on the GPU";
    EXPECT_TRUE(on_gpu[i].grad().device().is_cuda());
    expect_close(on_gpu[i].grad(), on_cpu[i].grad(), tol, "gradient of input " + std::to_string(i));
  }
}

TEST_P(CudaOpTable, ForwardAndBackwardMatchCpu) {
  const OpRow& row = GetParam();
  for (DType dtype : {DType::Float32, DType::Float64}) {
    Generator gen(30);
    expect_cuda_matches_cpu(row, row.shapes, dtype, gen);
    if (!row.large_shapes.empty()) expect_cuda_matches_cpu(row, row.large_shapes, dtype, gen);
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, CudaOpTable, ::testing::ValuesIn(testing::op_table()), testing::RowName());

}  // namespace
}  // namespace idml
