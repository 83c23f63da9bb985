// The precompiled header of the `idml` program (cmake/BuildTime.cmake): CLI11
// and nlohmann/json, header-only libraries that every subcommand's file
// includes and that cost most of its compile time when parsed file by file.
// Only headers that do not change with the project's code belong here; each
// file still includes what it uses (a build with
// -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON checks that it does).
#pragma once

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>
