// Module::load_state_dict: validate everything first (names, shapes, dtypes,
// via weights::compare_state_dicts), then copy; an error never leaves the
// module half-loaded.
#include "engine/autograd.h"
#include "nn/module.h"

namespace idml::nn {

void Module::load_state_dict(const StateDict& dict, KeyMatch keys, const std::vector<std::string>& ignored_prefixes) {
  const StateDict own = state_dict();
  weights::StateDictDifferences differences = weights::compare_state_dicts(own, dict, ignored_prefixes);
  if (keys == KeyMatch::shared) {
    differences.missing.clear();
    differences.unexpected.clear();
  }
  IDML_CHECK(differences.empty(), "load_state_dict: the weights do not match the module (",
             own.size(), " expected entries, ", dict.size(), " given): ", weights::describe(differences));
  NoGradGuard no_grad;
  for (const auto& [name, target] : own) {
    const auto found = dict.find(name);
    if (found == dict.end()) continue;
    bool ignored = false;
    for (const std::string& prefix : ignored_prefixes) ignored |= name.compare(0, prefix.size(), prefix) == 0;
    if (!ignored) target.copy_(found->second);
  }
}

}  // namespace idml::nn
