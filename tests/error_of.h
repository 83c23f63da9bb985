// Test helper: the message of the idml::Error that `f` throws, or "" when it
// throws none, so a test can check what an error names.
#pragma once

#include <functional>
#include <string>

#include "engine/error.h"

namespace idml::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace idml::testing
