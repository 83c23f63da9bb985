// The process-wide choices of the CPU convolution (onednn_conv.h): which
// implementation runs (IDML_CPU_CONV) and the activation layout policy
// (IDML_CPU_CONV_LAYOUT), read once from the environment, settable in tests.
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

#include "engine/cpu/onednn_conv.h"
#include "engine/error.h"

namespace idml::cpu {

namespace {

// The value of environment variable `name`: unset or empty gives `fallback`,
// else it must be one of `choices`' names (listed in the error).
template <typename E>
E choice_from_environment(const char* name, E fallback, std::initializer_list<std::pair<const char*, E>> choices) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  std::string names;
  for (const auto& [text, value] : choices) {
    if (std::string(v) == text) return value;
    names += (names.empty() ? "" : " or ") + std::string(text);
  }
  throw Error(std::string(name) + ": expected " + names + ", got '" + v + "'");
}

ConvImplementation& selected_implementation() {
  // Default: oneDNN. The readable im2col + GEMM path stays selectable (and is
  // what the tests compare oneDNN against).
  static ConvImplementation selected = choice_from_environment(
      "IDML_CPU_CONV", ConvImplementation::OneDnn,
      {{"reference", ConvImplementation::Reference}, {"onednn", ConvImplementation::OneDnn}});
  return selected;
}

}  // namespace

ConvImplementation conv_implementation() { return selected_implementation(); }
void set_conv_implementation(ConvImplementation implementation) { selected_implementation() = implementation; }

namespace onednn {

namespace {

ActivationLayout& selected_layout() {
  static ActivationLayout selected = choice_from_environment(
      "IDML_CPU_CONV_LAYOUT", ActivationLayout::Blocked,
      {{"blocked", ActivationLayout::Blocked}, {"plain", ActivationLayout::Plain}});
  return selected;
}

}  // namespace

ActivationLayout activation_layout() { return selected_layout(); }
void set_activation_layout(ActivationLayout layout) { selected_layout() = layout; }

}  // namespace onednn
}  // namespace idml::cpu
