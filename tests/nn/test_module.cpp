// Module: registration order and dotted names, state_dict with buffers,
// train/eval recursion, requires_grad, device moves keeping handles, and
// strict loading that names every problem and never loads half.
#include <gtest/gtest.h>

#include "tests/error_of.h"
#include "engine/ops.h"
#include "nn/batch_norm.h"
#include "nn/conv2d.h"
#include "nn/linear.h"
#include "nn/sequential.h"

namespace idml::nn {
namespace {

// conv (no bias) - bn - Sequential(linear, bn), as a ResNet block nests them.
class Toy : public Module {
 public:
  explicit Toy(Generator& gen) {
    conv = register_module("conv", std::make_shared<Conv2d>(Conv2dConfig{2, 3, 3, 1, 1, 1, false}, gen));
    bn = register_module("bn", std::make_shared<BatchNorm2d>(3));
    head = register_module("head", std::make_shared<Sequential>());
    head->push_back(std::make_shared<Linear>(3, 4, gen));
    head->push_back(std::make_shared<BatchNorm2d>(4));
    scale = register_parameter("scale", ones({1}));
  }
  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<BatchNorm2d> bn;
  std::shared_ptr<Sequential> head;
  Tensor scale;
};

using testing::error_of;

TEST(Module, NamesFollowRegistrationOrderLikeTorch) {
  Generator gen(1);
  Toy toy(gen);
  // torch: a module's own parameters, then its buffers, then each child.
  const std::vector<std::string> expected = {
      "scale", "conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
      "head.0.weight", "head.0.bias", "head.1.weight", "head.1.bias", "head.1.running_mean", "head.1.running_var",
      "head.1.num_batches_tracked"};
  EXPECT_EQ(toy.state_dict_names(), expected);
  std::vector<std::string> params;
  for (const auto& entry : toy.named_parameters()) params.push_back(entry.first);
  EXPECT_EQ(params, (std::vector<std::string>{"scale", "conv.weight", "bn.weight", "bn.bias", "head.0.weight",
                                              "head.0.bias", "head.1.weight", "head.1.bias"}));
  EXPECT_EQ(toy.named_buffers().size(), 6u);
  const StateDict dict = toy.state_dict();
  EXPECT_EQ(dict.at("bn.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(dict.at("bn.num_batches_tracked").dim(), 0);
  EXPECT_TRUE(dict.at("conv.weight").same(toy.conv->weight)) << "state_dict must share the module's tensors";
}

TEST(Module, DuplicateOrDottedNamesAreErrors) {
  class Bad : public Module {
   public:
    void add(const std::string& name) { register_parameter(name, zeros({1})); }
  } bad;
  bad.add("w");
  EXPECT_THROW(bad.add("w"), Error);
  EXPECT_THROW(bad.add("a.b"), Error);
}

TEST(Module, TrainEvalAndRequiresGradRecurse) {
  Generator gen(2);
  Toy toy(gen);
  EXPECT_TRUE(toy.head->is_training());
  toy.eval();
  EXPECT_FALSE(toy.is_training());
  EXPECT_FALSE(toy.head->is_training());
  EXPECT_FALSE((*toy.head)[1]->is_training());
  toy.train();
  EXPECT_TRUE((*toy.head)[1]->is_training());
  toy.head->set_requires_grad(false);
  EXPECT_FALSE(toy.head->named_parameters()[0].second.requires_grad());
  EXPECT_TRUE(toy.conv->weight.requires_grad());
}

TEST(Module, ToDeviceKeepsHandles) {
  Generator gen(3);
  Toy toy(gen);
  const Tensor weight = toy.conv->weight;
  const std::vector<float> before = weight.to_vector<float>();
  toy.to(Device::cpu());
  EXPECT_TRUE(toy.conv->weight.same(weight));
  EXPECT_EQ(weight.to_vector<float>(), before);
}

TEST(Module, LoadStateDictCopiesValues) {
  Generator gen(4);
  Toy source(gen), target(gen);
  source.bn->running_mean.copy_(full({3}, 0.25));
  target.load_state_dict(source.state_dict());
  for (const auto& [name, t] : source.state_dict()) {
    const Tensor ours = target.state_dict().at(name);
    EXPECT_FALSE(ours.same(t)) << name << ": loading must copy, not alias";
    EXPECT_EQ(ours.to(DType::Float64).to_vector<double>(), t.to(DType::Float64).to_vector<double>()) << name;
  }
}

TEST(Module, StrictLoadListsEveryProblemAndLoadsNothing) {
  Generator gen(5);
  Toy source(gen), target(gen);
  StateDict dict;
  for (const auto& [name, t] : source.state_dict()) dict[name] = t.clone();
  dict.erase("bn.running_var");
  dict.erase("head.0.bias");
  dict["head.2.weight"] = zeros({4});
  dict["conv.weight"] = zeros({3, 2, 5, 5});
  const std::vector<float> before = target.head->named_parameters()[0].second.to_vector<float>();
  const std::string message = error_of([&] { target.load_state_dict(dict); });
  for (const char* expected : {"missing keys: bn.running_var, head.0.bias", "unexpected keys: head.2.weight",
                               "conv.weight: expected float32[3, 2, 3, 3] but got float32[3, 2, 5, 5]"})
    EXPECT_NE(message.find(expected), std::string::npos) << "'" << expected << "' not in: " << message;
  EXPECT_EQ(target.head->named_parameters()[0].second.to_vector<float>(), before) << "partial load";
}

TEST(Module, NonStrictLoadSkipsMissingAndUnexpectedButNotShapes) {
  Generator gen(6);
  Toy source(gen), target(gen);
  StateDict dict;
  dict["bn.running_mean"] = full({3}, 2.0);
  dict["extra"] = zeros({1});
  target.load_state_dict(dict, Module::KeyMatch::shared);
  EXPECT_EQ(target.bn->running_mean.to_vector<float>(), (std::vector<float>{2, 2, 2}));
  dict["bn.running_var"] = zeros({4});
  EXPECT_NE(error_of([&] { target.load_state_dict(dict, Module::KeyMatch::shared); }).find("bn.running_var"), std::string::npos);
  // ignored prefixes are skipped on both sides, even when strict
  StateDict without_head;
  for (const auto& [name, t] : source.state_dict())
    if (name.rfind("head.", 0) != 0) without_head[name] = t;
  EXPECT_NO_THROW(target.load_state_dict(without_head, Module::KeyMatch::strict, {"head."}));
}

}  // namespace
}  // namespace idml::nn
