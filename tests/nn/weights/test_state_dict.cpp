// StateDict helpers: prefixes, element counts, and the by-name comparison
// strict loading reports.
#include <gtest/gtest.h>

#include "nn/weights/state_dict.h"
#include "weights_test_util.h"

namespace idml::weights {
namespace {

StateDict sample() {
  StateDict dict;
  dict["module.conv1.weight"] = zeros({4, 3, 3, 3});
  dict["module.bn1.num_batches_tracked"] = zeros({}, DType::Int64);
  return dict;
}

TEST(StateDict, Prefixes) {
  const StateDict dict = sample();
  EXPECT_TRUE(all_keys_have_prefix(dict, "module."));
  EXPECT_FALSE(all_keys_have_prefix(dict, "module.conv"));
  EXPECT_FALSE(all_keys_have_prefix(StateDict{}, "module."));
  const StateDict stripped = strip_prefix(dict, "module.");
  EXPECT_EQ(stripped.size(), 2u);
  EXPECT_EQ(stripped.count("conv1.weight"), 1u);
  EXPECT_TRUE(stripped.at("conv1.weight").same(dict.at("module.conv1.weight")));
  EXPECT_EQ(strip_prefix(dict, "module.conv1.").size(), 1u);  // entries without the prefix are dropped
  EXPECT_EQ(add_prefix(stripped, "model.").count("model.bn1.num_batches_tracked"), 1u);
}

TEST(StateDict, ElementCount) { EXPECT_EQ(element_count(sample()), 4 * 3 * 3 * 3 + 1); }

TEST(StateDict, DifferencesAreListedByName) {
  StateDict expected = strip_prefix(sample(), "module.");
  expected["fc.weight"] = zeros({10, 4});
  StateDict actual;
  actual["conv1.weight"] = zeros({4, 3, 1, 1});
  actual["extra.bias"] = zeros({2});
  actual["fc.weight"] = zeros({5, 4});
  const StateDictDifferences differences = compare_state_dicts(expected, actual);
  EXPECT_EQ(differences.missing, (std::vector<std::string>{"bn1.num_batches_tracked"}));
  EXPECT_EQ(differences.unexpected, (std::vector<std::string>{"extra.bias"}));
  ASSERT_EQ(differences.mismatched.size(), 2u);
  EXPECT_EQ(describe(differences),
            "missing keys: bn1.num_batches_tracked; unexpected keys: extra.bias; shape/dtype mismatches: "
            "conv1.weight: expected float32[4, 3, 3, 3] but got float32[4, 3, 1, 1], "
            "fc.weight: expected float32[10, 4] but got float32[5, 4]");
  const StateDictDifferences without_fc = compare_state_dicts(expected, actual, {"fc."});
  EXPECT_EQ(without_fc.mismatched.size(), 1u);
  EXPECT_TRUE(compare_state_dicts(expected, expected).empty());
  EXPECT_EQ(describe(compare_state_dicts(expected, expected)), "");
}

TEST(StateDict, DtypeMismatchIsReported) {
  StateDict a, b;
  a["n"] = zeros({}, DType::Int64);
  b["n"] = zeros({});
  EXPECT_EQ(compare_state_dicts(a, b).mismatched, (std::vector<std::string>{"n: expected int64[] but got float32[]"}));
}

}  // namespace
}  // namespace idml::weights
