// The web page of `idml serve` (serve/web/index.html), compiled into the
// binary by CMake so that the server reads no file to serve it.
#pragma once

#include <string>

namespace idml::serve {

const std::string& web_page();

}  // namespace idml::serve
