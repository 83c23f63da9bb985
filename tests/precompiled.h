// The precompiled header of every GoogleTest program in tests/
// (cmake/BuildTime.cmake): compiled once per build instead of once per test
// file. It holds only headers that do not change with the project's code:
// GoogleTest, nlohmann/json and the standard library. A test file still
// includes what it uses; a build with -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON
// checks that it does.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
