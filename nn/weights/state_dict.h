// StateDict: named tensors, ordered by name, as read from or written to weight
// files, plus the small helpers every loader needs: prefixes (DataParallel's
// `module.`, the checkpoint's `model.`), parameter counts, and a by-name
// comparison for strict loading. Strict loading itself lives with Module.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/tensor.h"

namespace idml::weights {

using StateDict = std::map<std::string, Tensor>;

// True when the dict is non-empty and every key starts with `prefix`.
bool all_keys_have_prefix(const StateDict& dict, const std::string& prefix);
// The entries whose key starts with `prefix`, with the prefix removed.
StateDict strip_prefix(const StateDict& dict, const std::string& prefix);
// Every key with `prefix` prepended.
StateDict add_prefix(const StateDict& dict, const std::string& prefix);

// Total element count of all tensors (the "parameter count" of a summary).
int64_t element_count(const StateDict& dict);

struct StateDictDifferences {
  std::vector<std::string> missing;      // in expected, not in actual
  std::vector<std::string> unexpected;   // in actual, not in expected
  std::vector<std::string> mismatched;   // "name: expected float32[3] but got float32[4]"
  bool empty() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
};

// Compares names, shapes and dtypes; keys starting with one of `ignored`
// prefixes (e.g. "fc.") are skipped on both sides.
StateDictDifferences compare_state_dicts(const StateDict& expected, const StateDict& actual,
                                         const std::vector<std::string>& ignored = {});
// "missing keys: a, b; unexpected keys: c; shape mismatches: d: ..." (empty when none).
std::string describe(const StateDictDifferences& differences);

}  // namespace idml::weights
