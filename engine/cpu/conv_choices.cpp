// The CPU convolution's process-wide choices (see the header), read once from
// the environment.
#include "engine/cpu/conv_choices.h"

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>

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
  static ConvImplementation selected =
      choice_from_environment("IDML_CPU_CONV", ConvImplementation::OneDnn,
                              {{"onednn", ConvImplementation::OneDnn}, {"im2col", ConvImplementation::Im2col}});
  return selected;
}

}  // namespace

ConvImplementation conv_implementation() { return selected_implementation(); }
void set_conv_implementation(ConvImplementation implementation) { selected_implementation() = implementation; }
const char* conv_implementation_name(ConvImplementation implementation) {
  return implementation == ConvImplementation::OneDnn ? "onednn" : "im2col";
}

namespace onednn {

namespace {

ActivationLayout& selected_layout() {
  static ActivationLayout selected =
      choice_from_environment("IDML_CPU_CONV_LAYOUT", ActivationLayout::Blocked,
                              {{"blocked", ActivationLayout::Blocked}, {"plain", ActivationLayout::Plain}});
  return selected;
}

}  // namespace

ActivationLayout activation_layout() { return selected_layout(); }
void set_activation_layout(ActivationLayout layout) { selected_layout() = layout; }
const char* activation_layout_name(ActivationLayout layout) {
  return layout == ActivationLayout::Blocked ? "blocked" : "plain";
}

}  // namespace onednn
}  // namespace idml::cpu
