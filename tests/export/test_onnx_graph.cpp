// export/onnx_graph.h and export/onnx_file.h: the graph of ResNet-18 and
// ResNet-50 (op counts, wiring, attributes, names and shapes, dynamic or
// fixed batch), and the ONNX library's checker and shape inference on the
// model and on the written file, for every opset the exporter writes.
#include <gtest/gtest.h>

#include <cstring>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "engine/error.h"
#include "export/export_options.h"
#include "export/folded_network.h"
#include "export/onnx_file.h"
#include "export/onnx_graph.h"
#include "io/atomic_file.h"
#include "tests/export/export_fixtures.h"
#include "tests/private_directory.h"

namespace idml::testing {
namespace {

using Counts = std::map<std::string, int>;

const onnx_export::FoldedNetwork& folded(const std::string& backbone) {
  static std::map<std::string, onnx_export::FoldedNetwork> cache;
  auto it = cache.find(backbone);
  if (it == cache.end()) {
    Generator gen(0);
    models::IDMLNet net(models::IDMLNetConfig{backbone, 64, true, true}, gen);
    it = cache.emplace(backbone, onnx_export::fold_network(net)).first;
  }
  return it->second;
}

onnx::ModelProto build(const std::string& backbone, int opset = 17, std::optional<int64_t> batch = std::nullopt) {
  onnx_export::GraphOptions options;
  options.opset = opset;
  options.batch = batch;
  return onnx_export::build_onnx_model(folded(backbone), options);
}

const onnx::NodeProto& node_named(const onnx::GraphProto& g, const std::string& name) {
  for (const onnx::NodeProto& n : g.node())
    if (n.name() == name) return n;
  throw std::runtime_error("no node " + name);
}

std::vector<int64_t> ints_attribute(const onnx::NodeProto& n, const std::string& name) {
  for (const onnx::AttributeProto& a : n.attribute())
    if (a.name() == name) return std::vector<int64_t>(a.ints().begin(), a.ints().end());
  return {};
}

std::vector<std::string> inputs(const onnx::NodeProto& n) { return {n.input().begin(), n.input().end()}; }

TEST(OnnxGraph, ResNet18NodesByOpType) {
  const onnx::ModelProto m = build("resnet18");
  // 20 convolutions (stem, 16 in 8 basic blocks, 3 downsamples); Add: 8 residuals,
  // GAP + GMP, and 1e-12 in each of the two l2 normalisations.
  EXPECT_EQ(op_counts(m.graph()), (Counts{{"Conv", 20}, {"Relu", 17}, {"MaxPool", 1}, {"Add", 11},
                                          {"GlobalAveragePool", 1}, {"GlobalMaxPool", 1}, {"Flatten", 1},
                                          {"Gemm", 2}, {"ReduceSumSquare", 2}, {"Sqrt", 2}, {"Div", 2}}));
  EXPECT_EQ(m.graph().node_size(), 60);
  EXPECT_EQ(m.graph().initializer_size(), 20 * 2 + 2 * 2 + 1);  // conv weight + bias, 2 heads, l2_eps
  EXPECT_EQ(m.graph().node(0).name(), "conv1");
}

TEST(OnnxGraph, ResNet50NodesByOpType) {
  const onnx::ModelProto m = build("resnet50");
  // 53 convolutions (stem, 48 in 16 bottlenecks, 4 downsamples), 49 ReLUs.
  EXPECT_EQ(op_counts(m.graph()), (Counts{{"Conv", 53}, {"Relu", 49}, {"MaxPool", 1}, {"Add", 19},
                                          {"GlobalAveragePool", 1}, {"GlobalMaxPool", 1}, {"Flatten", 1},
                                          {"Gemm", 2}, {"ReduceSumSquare", 2}, {"Sqrt", 2}, {"Div", 2}}));
  EXPECT_EQ(m.graph().node_size(), 133);
  // Bottleneck v1.5: the stride sits on the 3x3.
  EXPECT_EQ(ints_attribute(node_named(m.graph(), "layer2.0.conv1"), "strides"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(ints_attribute(node_named(m.graph(), "layer2.0.conv2"), "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(inputs(node_named(m.graph(), "layer1.0.add")),
            (std::vector<std::string>{"layer1.0.conv3", "layer1.0.downsample.0"}));
}

TEST(OnnxGraph, WiringAttributesAndWeights) {
  const onnx::ModelProto m = build("resnet18");
  const onnx::GraphProto& g = m.graph();
  const onnx::NodeProto& stem = node_named(g, "conv1");
  EXPECT_EQ(inputs(stem), (std::vector<std::string>{"images", "conv1.weight", "conv1.bias"}));
  EXPECT_EQ(ints_attribute(stem, "kernel_shape"), (std::vector<int64_t>{7, 7}));
  EXPECT_EQ(ints_attribute(stem, "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ints_attribute(stem, "pads"), (std::vector<int64_t>{3, 3, 3, 3}));
  EXPECT_EQ(ints_attribute(node_named(g, "maxpool"), "kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(ints_attribute(node_named(g, "maxpool"), "pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  // A block without and one with a downsample.
  EXPECT_EQ(inputs(node_named(g, "layer1.0.conv1")), (std::vector<std::string>{"maxpool", "layer1.0.conv1.weight", "layer1.0.conv1.bias"}));
  EXPECT_EQ(inputs(node_named(g, "layer1.0.add")), (std::vector<std::string>{"layer1.0.conv2", "maxpool"}));
  EXPECT_EQ(inputs(node_named(g, "layer2.0.downsample.0"))[0], "layer1.1.relu");
  EXPECT_EQ(inputs(node_named(g, "layer2.0.add")), (std::vector<std::string>{"layer2.0.conv2", "layer2.0.downsample.0"}));
  // The head: f = GAP + GMP of layer4's output, both heads on f, then x / sqrt(sum x^2 + eps).
  EXPECT_EQ(inputs(node_named(g, "avgpool")), (std::vector<std::string>{"layer4.1.relu"}));
  EXPECT_EQ(inputs(node_named(g, "maxpool_global")), (std::vector<std::string>{"layer4.1.relu"}));
  EXPECT_EQ(inputs(node_named(g, "embedding")), (std::vector<std::string>{"features", "embedding.weight", "embedding.bias"}));
  EXPECT_EQ(inputs(node_named(g, "uncertainty")), (std::vector<std::string>{"features", "uncertainty.weight", "uncertainty.bias"}));
  EXPECT_EQ(inputs(node_named(g, "semantic.normalize")), (std::vector<std::string>{"embedding.linear", "semantic.norm"}));
  EXPECT_EQ(inputs(node_named(g, "uncertainty.plus_eps")), (std::vector<std::string>{"uncertainty.sum_squares", "l2_eps"}));
  // The initializers hold the folded weights.
  const onnx_export::FoldedConv& f = folded("resnet18").blocks[3].convs[1];  // layer2.1.conv2
  for (const onnx::TensorProto& t : g.initializer())
    if (t.name() == "layer2.1.conv2.weight") {
      EXPECT_EQ((std::vector<int64_t>(t.dims().begin(), t.dims().end())), (std::vector<int64_t>{128, 128, 3, 3}));
      ASSERT_EQ(t.raw_data().size(), f.weight.size() * sizeof(float));
      EXPECT_EQ(std::memcmp(t.raw_data().data(), f.weight.data(), t.raw_data().size()), 0);
    }
}

TEST(OnnxGraph, InputAndOutputNamesAndShapesWithDynamicOrFixedBatch) {
  const onnx::ModelProto dynamic = build("resnet18");
  ASSERT_EQ(dynamic.graph().input_size(), 1);
  EXPECT_EQ(dynamic.graph().input(0).name(), "images");
  EXPECT_EQ(shape_text(dynamic.graph().input(0)), "[batch, 3, height, width]");
  ASSERT_EQ(dynamic.graph().output_size(), 2);
  EXPECT_EQ(dynamic.graph().output(0).name(), "semantic");
  EXPECT_EQ(dynamic.graph().output(1).name(), "uncertainty");
  EXPECT_EQ(shape_text(dynamic.graph().output(0)), "[batch, 64]");
  EXPECT_EQ(shape_text(dynamic.graph().output(1)), "[batch, 64]");

  const onnx::ModelProto fixed = build("resnet50", 17, 8);
  EXPECT_EQ(shape_text(fixed.graph().input(0)), "[8, 3, height, width]");
  EXPECT_EQ(shape_text(fixed.graph().output(0)), "[8, 64]");
  EXPECT_EQ(shape_text(fixed.graph().output(1)), "[8, 64]");
  EXPECT_EQ(fixed.graph().input(0).type().tensor_type().elem_type(), onnx::TensorProto::FLOAT);
}

TEST(OnnxGraph, WithoutL2NormTheHeadsAreTheOutputs) {
  Generator gen(0);
  models::IDMLNet net(models::IDMLNetConfig{"resnet18", 32, false, true}, gen);
  const onnx::ModelProto m = onnx_export::build_onnx_model(onnx_export::fold_network(net), {});
  const Counts counts = op_counts(m.graph());
  EXPECT_EQ(counts.count("ReduceSumSquare") + counts.count("Sqrt") + counts.count("Div"), 0u);
  EXPECT_EQ(counts.at("Add"), 9);
  EXPECT_EQ(node_named(m.graph(), "embedding").output(0), "semantic");
  EXPECT_EQ(node_named(m.graph(), "uncertainty").output(0), "uncertainty");
}

TEST(OnnxGraph, CheckerAndShapeInferencePassOnTheWrittenFileForEveryOpset) {
  EXPECT_EQ(onnx_export::max_opset(), 17);  // libonnx 1.12
  for (int opset = onnx_export::kMinOpset; opset <= onnx_export::max_opset(); ++opset) {
    SCOPED_TRACE("opset " + std::to_string(opset));
    onnx::ModelProto m = build("resnet18", opset, opset % 2 ? std::nullopt : std::optional<int64_t>(4));
    ASSERT_NO_THROW(onnx_export::check_onnx_model(m));
    const std::string path = private_path("graph_opset" + std::to_string(opset) + ".onnx");
    onnx_export::write_onnx_model(m, path);
    // The file, read back by the library's own entry points.
    EXPECT_NO_THROW(onnx::checker::check_model(path));
    onnx::ModelProto read = onnx_export::read_onnx_model(path);
    EXPECT_EQ(read.opset_import(0).version(), opset);
    EXPECT_EQ(read.ir_version(), onnx_export::ir_version_for_opset(opset));
    read.mutable_graph()->clear_value_info();
    const onnx::ShapeInferenceOptions strict(true, 1);
    ASSERT_NO_THROW(onnx::shape_inference::InferShapes(read, onnx::OpSchemaRegistry::Instance(), strict));
    // Shapes inferred through the whole network: the pooled features are (N, 512).
    const std::string n = opset % 2 ? "batch" : "4";
    bool found = false;
    for (const onnx::ValueInfoProto& v : read.graph().value_info())
      if (v.name() == "features") {
        found = true;
        EXPECT_EQ(shape_text(v), "[" + n + ", 512]");
      }
    EXPECT_TRUE(found) << "shape inference gave no shape for 'features'";
    EXPECT_EQ(shape_text(read.graph().output(0)), "[" + n + ", 64]");
  }
}

TEST(OnnxGraph, OpsetsDifferInTheHeaderOnly) {
  EXPECT_EQ(onnx_export::ir_version_for_opset(11), 6);
  EXPECT_EQ(onnx_export::ir_version_for_opset(13), 7);
  EXPECT_EQ(onnx_export::ir_version_for_opset(17), 8);
  onnx::ModelProto oldest = build("resnet18", onnx_export::kMinOpset), newest = build("resnet18", 17);
  EXPECT_EQ(oldest.graph().SerializeAsString(), newest.graph().SerializeAsString());
}

TEST(OnnxGraph, TheCheckerRefusesABrokenGraph) {
  onnx::ModelProto m = build("resnet18");
  m.mutable_graph()->mutable_node(5)->set_input(0, "no_such_tensor");
  try {
    onnx_export::check_onnx_model(m);
    FAIL() << "a node reading an undefined tensor passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("ONNX checker refused the graph"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_such_tensor"), std::string::npos) << e.what();
  }
}

TEST(OnnxGraph, ShapeInferenceRefusesADeclaredShapeThatContradictsTheGraph) {
  onnx::ModelProto m = build("resnet18", 17, 4);
  m.mutable_graph()->mutable_output(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(65);
  try {
    onnx_export::check_onnx_model(m);
    FAIL() << "an output declared (4, 65) for a (4, 64) graph passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("shape inference refused"), std::string::npos) << e.what();
  }
}

TEST(OnnxFile, ReadingSomethingElseIsAnErrorNamingTheFile) {
  const std::string path = private_path("not_onnx.onnx");
  io::write_file_atomically(path, std::string("\xff\xff\xff\xff not a protobuf", 20));
  EXPECT_THROW(
      try { onnx_export::read_onnx_model(path); } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
        throw;
      },
      Error);
  EXPECT_THROW(onnx_export::read_onnx_model(private_path("missing.onnx")), Error);
}

}  // namespace
}  // namespace idml::testing
