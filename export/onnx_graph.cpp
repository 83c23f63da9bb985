// Building the ONNX graph of a folded IDML network: nodes named after the
// modules they come from (layer1.0.conv1, layer1.0.relu1, layer1.0.add, ...),
// each node's output named as the node; initializers `<conv>.weight` and
// `<conv>.bias` hold the folded weights (raw little-endian float32).
#include "export/onnx_graph.h"


#include "engine/error.h"

namespace idml::onnx_export {

namespace {

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  // Adds a node named `name` whose single output is named `output` (default: `name`).
  onnx::NodeProto& node(const std::string& op, const std::string& name, const std::vector<std::string>& inputs,
                        const std::string& output = "") {
    onnx::NodeProto& n = *graph_.add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (const std::string& input : inputs) n.add_input(input);
    n.add_output(output.empty() ? name : output);
    return n;
  }

  void initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
    onnx::TensorProto& t = *graph_.add_initializer();
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t.add_dims(d);
    // raw_data is little-endian float32 by the ONNX spec, as this host stores floats.
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  }

  // Conv with its folded weight and bias; returns the output's name.
  std::string conv(const FoldedConv& c, const std::string& input) {
    initializer(c.name + ".weight", {c.out_channels, c.in_channels, c.kernel, c.kernel}, c.weight);
    initializer(c.name + ".bias", {c.out_channels}, c.bias);
    onnx::NodeProto& n = node("Conv", c.name, {input, c.name + ".weight", c.name + ".bias"});
    n.set_doc_string(c.folded_batch_norm + " folded in");
    ints(n, "kernel_shape", {c.kernel, c.kernel});
    ints(n, "strides", {c.stride, c.stride});
    ints(n, "pads", {c.padding, c.padding, c.padding, c.padding});  // begin H, W, end H, W
    return c.name;
  }

  // Gemm(f, W, b, transB = 1) = f W^T + b.
  std::string dense(const DenseLayer& d, const std::string& input, const std::string& output) {
    initializer(d.name + ".weight", {d.out_features, d.in_features}, d.weight);
    initializer(d.name + ".bias", {d.out_features}, d.bias);
    onnx::NodeProto& n = node("Gemm", d.name, {input, d.name + ".weight", d.name + ".bias"}, output);
    integer(n, "transB", 1);
    return n.output(0);
  }

  // x / sqrt(sum over dim 1 of x^2 + eps), named `output`.
  void l2_normalize(const std::string& input, const std::string& output) {
    onnx::NodeProto& sum = node("ReduceSumSquare", output + ".sum_squares", {input});
    ints(sum, "axes", {1});
    integer(sum, "keepdims", 1);
    node("Add", output + ".plus_eps", {sum.output(0), "l2_eps"});
    node("Sqrt", output + ".norm", {output + ".plus_eps"});
    node("Div", output + ".normalize", {input, output + ".norm"}, output);
  }

  static void ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& values) {
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a.add_ints(v);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, int64_t value) {
    onnx::AttributeProto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(value);
  }

 private:
  onnx::GraphProto& graph_;
};

// A float tensor's declared type: each dim a number, or a symbol when its number is empty.
void declare(onnx::ValueInfoProto& v, const std::string& name, const std::vector<std::pair<int64_t, std::string>>& dims) {
  v.set_name(name);
  onnx::TypeProto_Tensor& t = *v.mutable_type()->mutable_tensor_type();
  t.set_elem_type(onnx::TensorProto::FLOAT);
  for (const auto& [value, symbol] : dims) {
    onnx::TensorShapeProto_Dimension& d = *t.mutable_shape()->add_dim();
    if (symbol.empty()) d.set_dim_value(value);
    else d.set_dim_param(symbol);
  }
}

std::string block(GraphBuilder& g, const FoldedBlock& b, const std::string& input) {
  std::string h = input;
  for (size_t i = 0; i < b.convs.size(); ++i) {
    h = g.conv(b.convs[i], h);
    if (i + 1 < b.convs.size()) h = g.node("Relu", b.name + ".relu" + std::to_string(i + 1), {h}).output(0);
  }
  const std::string identity = b.downsample ? g.conv(*b.downsample, input) : input;
  const std::string sum = g.node("Add", b.name + ".add", {h, identity}).output(0);
  return g.node("Relu", b.name + ".relu", {sum}).output(0);
}

}  // namespace

int64_t ir_version_for_opset(int opset) {
  IDML_CHECK(opset >= 11, "ir_version_for_opset: opset ", opset, " is older than 11");
  if (opset == 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

onnx::ModelProto build_onnx_model(const FoldedNetwork& net, const GraphOptions& options) {
  IDML_CHECK(!options.batch || *options.batch > 0, "export: batch size must be positive, got ", *options.batch);
  onnx::ModelProto model;
  model.set_ir_version(ir_version_for_opset(options.opset));
  onnx::OperatorSetIdProto& opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(options.opset);
  model.set_producer_name("idml");
  model.set_producer_version(options.producer_version);
  model.set_doc_string("IDML embedding network (" + net.backbone + ", D = " + std::to_string(net.embedding.out_features) +
                       "), BatchNorm folded into the convolutions; see export/README.md for the preprocessing");
  for (const auto& [key, value] : options.metadata) {
    onnx::StringStringEntryProto& p = *model.add_metadata_props();
    p.set_key(key);
    p.set_value(value);
  }

  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name("idml_" + net.backbone);
  const std::pair<int64_t, std::string> batch = options.batch ? std::make_pair(*options.batch, std::string())
                                                              : std::make_pair(int64_t{0}, std::string("batch"));
  declare(*graph.add_input(), kInputName, {batch, {3, ""}, {0, "height"}, {0, "width"}});

  GraphBuilder g(graph);
  std::string h = g.conv(net.stem, kInputName);
  h = g.node("Relu", "relu", {h}).output(0);
  onnx::NodeProto& pool = g.node("MaxPool", "maxpool", {h});
  GraphBuilder::ints(pool, "kernel_shape", {3, 3});
  GraphBuilder::ints(pool, "strides", {2, 2});
  GraphBuilder::ints(pool, "pads", {1, 1, 1, 1});
  h = pool.output(0);
  for (const FoldedBlock& b : net.blocks) h = block(g, b, h);

  // f = GAP + GMP (docs/METHOD.md#2-model), (N, C, 1, 1) -> (N, C)
  const std::string gap = g.node("GlobalAveragePool", "avgpool", {h}).output(0);
  const std::string gmp = g.node("GlobalMaxPool", "maxpool_global", {h}).output(0);
  const std::string pooled = g.node("Add", "pool_sum", {gap, gmp}).output(0);
  onnx::NodeProto& flatten = g.node("Flatten", "features", {pooled});
  GraphBuilder::integer(flatten, "axis", 1);

  if (net.l2_norm) g.initializer("l2_eps", {}, {kL2Epsilon});
  const int64_t d = net.embedding.out_features;
  for (const auto& [layer, output] : {std::make_pair(&net.embedding, kSemanticOutput),
                                      std::make_pair(&net.uncertainty, kUncertaintyOutput)}) {
    if (net.l2_norm) g.l2_normalize(g.dense(*layer, "features", layer->name + ".linear"), output);
    else g.dense(*layer, "features", output);
    declare(*graph.add_output(), output, {batch, {d, ""}});
  }
  return model;
}

}  // namespace idml::onnx_export
