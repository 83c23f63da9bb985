// PyTorch .pth files written by torch.save (tests/nn/golden/make_weights.py):
// zip and legacy formats, views and shared storages, every storage dtype,
// checkpoints with model_state_dict and DataParallel's `module.` prefix.
#include <gtest/gtest.h>

#include "nn/weights/load_weights.h"
#include "nn/weights/pth.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

using testing::expect_error;
using testing::expect_golden;
using testing::golden;

TEST(Pth, ZipStateDictWithTorchvisionNames) {
  const StateDict dict = load_pth(golden("tiny_resnet_zip.pth"));
  expect_golden(dict, "tiny_resnet_zip.pth");
  // The layout a ResNet loader relies on.
  EXPECT_EQ(dict.at("layer2.0.downsample.1.running_var").shape(), (Shape{8}));
  EXPECT_EQ(dict.at("bn1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(dict.at("bn1.num_batches_tracked").to_vector<int64_t>(), (std::vector<int64_t>{3}));
  EXPECT_EQ(dict.at("bn1.num_batches_tracked").dim(), 0);
}

TEST(Pth, LegacyFormatGivesTheSameTensors) {
  expect_golden(load_pth(golden("tiny_resnet_legacy.pth")), "tiny_resnet_legacy.pth");
  // torch <= 0.3's _rebuild_tensor, as in torchvision's 2017 ImageNet files.
  expect_golden(load_pth(golden("tiny_resnet_old_style.pth")), "tiny_resnet_old_style.pth");
}

TEST(Pth, ViewsAndDtypesInEveryContainer) {
  for (const char* file : {"views_zip.pth", "views_legacy.pth", "views_deflated.pth", "views_protocol4.pth"}) {
    SCOPED_TRACE(file);
    const StateDict dict = load_pth(golden(file));
    expect_golden(dict, file);
    // transposed (strides (1, 4)) and base share one storage: element [1][0] of the transpose is base[0][1].
    EXPECT_EQ(dict.at("transposed").shape(), (Shape{4, 3}));
    EXPECT_EQ(dict.at("transposed").to_vector<float>()[3], dict.at("base").to_vector<float>()[1]);
    EXPECT_EQ(dict.at("expanded").shape(), (Shape{4, 3}));
    EXPECT_EQ(dict.at("empty").numel(), 0);
  }
}

TEST(Pth, CheckpointObjectKeepsEveryValue) {
  const io::PyValue object = load_pth_object(golden("checkpoint_zip.pth"));
  ASSERT_EQ(object->kind, io::PyKind::Dict);
  EXPECT_EQ(io::dict_get(object, "epoch")->integer, 3);
  EXPECT_EQ(io::dict_get(object, "negative")->integer, -(int64_t(1) << 33));
  EXPECT_EQ(io::dict_get(object, "big")->kind, io::PyKind::BigInt);
  const io::PyValue recalls = io::dict_get(object, "recalls");
  ASSERT_EQ(recalls->kind, io::PyKind::List);
  ASSERT_EQ(recalls->items.size(), 5u);
  EXPECT_EQ(recalls->items[1]->real, 0.625);
  EXPECT_EQ(recalls->items[2]->kind, io::PyKind::None);
  EXPECT_EQ(recalls->items[4]->items[1]->text, "two");
  // The optimizer state: int keys, tensors, a param_groups list of dicts.
  const io::PyValue groups = io::dict_get(io::dict_get(object, "optimizer_state_dict"), "param_groups");
  ASSERT_EQ(groups->kind, io::PyKind::List);
  EXPECT_EQ(io::dict_get(groups->items[0], "lr")->real, 1e-3);
}

TEST(Pth, CheckpointUnwrapsModelStateDict) {
  const StateDict dict = load_pth(golden("checkpoint_zip.pth"));
  expect_golden(dict, "checkpoint_zip.pth");
  EXPECT_TRUE(all_keys_have_prefix(dict, "module."));
}

TEST(LoadWeights, StripsDataParallelPrefix) {
  const LoadedWeights loaded = load_weights(golden("checkpoint_zip.pth"));
  EXPECT_EQ(loaded.format, "pth");
  EXPECT_TRUE(loaded.stripped_module_prefix);
  const StateDict plain = load_pth(golden("tiny_resnet_zip.pth"));
  ASSERT_EQ(loaded.tensors.size(), plain.size());
  EXPECT_TRUE(compare_state_dicts(plain, loaded.tensors).empty());
  EXPECT_EQ(loaded.tensors.count("layer1.0.conv2.weight"), 1u);
}

TEST(LoadWeights, RecognisesSafetensorsByContent) {
  const LoadedWeights loaded = load_weights(golden("dtypes.safetensors"));
  EXPECT_EQ(loaded.format, "safetensors");
  EXPECT_FALSE(loaded.stripped_module_prefix);
  expect_golden(loaded.tensors, "dtypes.safetensors");
}

TEST(Pth, UnsupportedGlobalIsNamed) {
  const std::string path = golden("unsupported_global.pth");
  // Protocol 2 pickles name builtins by their Python 2 module.
  expect_error([&] { load_pth(path); }, {path, "unsupported pickle global __builtin__.set"});
}

TEST(Pth, ZipWithoutDataPklIsAnError) {
  const std::string path = golden("no_data_pkl.pth");
  expect_error([&] { load_pth(path); }, {path, "no <archive>/data.pkl"});
}

TEST(Pth, NonTensorEntryIsNamed) {
  // The optimizer state dict alone is not a state dict of tensors.
  const io::PyValue object = load_pth_object(golden("checkpoint_zip.pth"));
  expect_error([&] { state_dict_from_object(io::dict_get(object, "optimizer_state_dict"), "ckpt.pth"); },
               {"ckpt.pth", "entry 'state' is a dict, not a tensor"});
}

TEST(Pth, MissingFileIsNamed) {
  expect_error([] { load_pth("/nonexistent/weights.pth"); }, {"/nonexistent/weights.pth", "cannot open"});
}

}  // namespace
}  // namespace idml::weights
