// Errors of idml: one exception type whose message names the op, the shapes
// or the file involved. The CLI prints `what()` and exits non-zero.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace idml {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace idml

// IDML_CHECK(cond, "op: ", detail, ...) throws idml::Error with the concatenated parts.
#define IDML_CHECK(cond, ...)                                         \
  do {                                                                \
    if (!(cond)) throw ::idml::Error(::idml::detail::concat(__VA_ARGS__)); \
  } while (0)
