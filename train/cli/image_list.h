// The images a command works on: a directory (read recursively, sorted) or a
// text file with one path per line; shared by `idml embed` and `idml search`.
#pragma once

#include <string>
#include <vector>

namespace idml::cli {

// flag: the option's name, for error messages ("--images").
std::vector<std::string> list_images(const std::string& where, const std::string& flag);

}  // namespace idml::cli
