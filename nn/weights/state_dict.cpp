// StateDict helpers.
#include "nn/weights/state_dict.h"

#include <algorithm>

namespace idml::weights {

namespace {
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}
}  // namespace

bool all_keys_have_prefix(const StateDict& dict, const std::string& prefix) {
  return !dict.empty() && std::all_of(dict.begin(), dict.end(), [&](const auto& e) { return starts_with(e.first, prefix); });
}

StateDict strip_prefix(const StateDict& dict, const std::string& prefix) {
  StateDict out;
  for (const auto& [name, tensor] : dict)
    if (starts_with(name, prefix)) out[name.substr(prefix.size())] = tensor;
  return out;
}

StateDict add_prefix(const StateDict& dict, const std::string& prefix) {
  StateDict out;
  for (const auto& [name, tensor] : dict) out[prefix + name] = tensor;
  return out;
}

int64_t element_count(const StateDict& dict) {
  int64_t total = 0;
  for (const auto& entry : dict) total += entry.second.numel();
  return total;
}

StateDictDifferences compare_state_dicts(const StateDict& expected, const StateDict& actual,
                                         const std::vector<std::string>& ignored) {
  auto skip = [&](const std::string& name) {
    return std::any_of(ignored.begin(), ignored.end(), [&](const std::string& p) { return starts_with(name, p); });
  };
  StateDictDifferences out;
  for (const auto& [name, tensor] : expected) {
    if (skip(name)) continue;
    const auto found = actual.find(name);
    if (found == actual.end()) {
      out.missing.push_back(name);
    } else if (found->second.shape() != tensor.shape() || found->second.dtype() != tensor.dtype()) {
      out.mismatched.push_back(name + ": expected " + dtype_name(tensor.dtype()) + shape_str(tensor.shape()) +
                               " but got " + dtype_name(found->second.dtype()) + shape_str(found->second.shape()));
    }
  }
  for (const auto& entry : actual)
    if (!skip(entry.first) && expected.count(entry.first) == 0) out.unexpected.push_back(entry.first);
  return out;
}

std::string describe(const StateDictDifferences& differences) {
  std::vector<std::string> parts;
  if (!differences.missing.empty()) parts.push_back("missing keys: " + join(differences.missing));
  if (!differences.unexpected.empty()) parts.push_back("unexpected keys: " + join(differences.unexpected));
  if (!differences.mismatched.empty()) parts.push_back("shape/dtype mismatches: " + join(differences.mismatched));
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

}  // namespace idml::weights
