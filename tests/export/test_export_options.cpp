// export/export_options.h: --opset, --batch and --precision, each refusal
// naming the flag, the value and what is accepted.
#include <gtest/gtest.h>

#include "engine/error.h"
#include "export/export_options.h"
#include "tests/error_of.h"

namespace idml::testing {
namespace {

TEST(ExportOptions, OpsetsFrom11To17) {
  for (int opset = 11; opset <= 17; ++opset) EXPECT_NO_THROW(onnx_export::check_opset(opset));
  EXPECT_EQ(error_of([] { onnx_export::check_opset(18); }),
            "--opset 18: expected 11 to 17 (ONNX opsets the exporter writes and libonnx 1.12.0 checks)");
  EXPECT_NE(error_of([] { onnx_export::check_opset(10); }).find("--opset 10: expected 11 to 17"), std::string::npos);
  EXPECT_NE(error_of([] { onnx_export::check_opset(-1); }).find("--opset -1"), std::string::npos);
}

TEST(ExportOptions, BatchIsDynamicOrAPositiveSize) {
  EXPECT_EQ(onnx_export::parse_batch("dynamic"), std::nullopt);
  EXPECT_EQ(onnx_export::parse_batch("1"), 1);
  EXPECT_EQ(onnx_export::parse_batch("32"), 32);
  EXPECT_EQ(onnx_export::parse_batch("1048576"), 1048576);
  for (const std::string bad : {"0", "-1", "abc", "3.5", "", " 8", "8x", "1048577", "99999999999999999999", "Dynamic"})
    EXPECT_EQ(error_of([&] { onnx_export::parse_batch(bad); }),
              "--batch: expected 'dynamic' or a batch size from 1 to 1048576, got '" + bad + "'");
}

TEST(ExportOptions, OnlyFp32IsWritten) {
  EXPECT_NO_THROW(onnx_export::check_precision("fp32"));
  for (const std::string other : {"fp16", "bf16", "int8", "FP32"})
    EXPECT_NE(error_of([&] { onnx_export::check_precision(other); }).find("--precision: expected fp32"),
              std::string::npos)
        << other;
}

}  // namespace
}  // namespace idml::testing
