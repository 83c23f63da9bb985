# What keeps the build short on a 2-core machine (the README's set-up commands
# and CI build everything twice there: Release, then the sanitizer build).
#
#  - The code in tests/ is compiled at IDML_TEST_OPTIMIZATION (-O1), the
#    libraries, the CLI and the benchmarks at the build type's flags (-O3 in
#    Release): the numbers the tests check are computed by the libraries' own
#    optimised code, the tests only set up, call and compare.
#  - Every GoogleTest program in tests/ (and every one added there later, in
#    any folder) uses one precompiled header, tests/precompiled.h, built once.
#  - The `idml` program precompiles CLI11 and nlohmann/json
#    (train/cli/precompiled.h): parsed once instead of once per subcommand.
#    Its own code (train/cli/: flags, messages, calls into the libraries, no
#    loop over data) is compiled at IDML_CLI_OPTIMIZATION (-O1): CLI11's
#    inline templates optimised at -O3 in each of its 18 files were a fifth
#    of the whole build (train_command.cpp: 12.3 s at -O3, 7.2 s at -O1).
#
# -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON builds without precompiled headers
# (to check that every file includes what it uses); -DIDML_TEST_OPTIMIZATION=
# (empty) compiles the tests at the build type's level.
#
# Deliberately not done: a unity build. Merging sources puts their
# file-local helpers (anonymous namespaces, statics) into one translation
# unit, so two files with a helper of the same name stop compiling together,
# and that breaks on files added later by anyone.

set(IDML_TEST_OPTIMIZATION "-O1" CACHE STRING
    "Optimisation flag for the code in tests/ (empty: the build type's); the libraries keep the build type's")
set(IDML_CLI_OPTIMIZATION "-O1" CACHE STRING
    "Optimisation flag for the `idml` program's own files, train/cli/ (empty: the build type's); the libraries keep the build type's")

# The targets defined in `dir` and in every folder below it.
function(_idml_targets_below dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _idml_targets_below(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Whether `target` links GoogleTest directly (its test programs and helper libraries).
function(_idml_links_gtest target out)
  get_target_property(libs ${target} LINK_LIBRARIES)
  set(found FALSE)
  foreach(lib IN LISTS libs)
    if(lib MATCHES "^GTest::")
      set(found TRUE)
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# Applies the tests' optimisation level and precompiled header to every C++
# target defined in `dir` and below (call it after the folders are added).
function(idml_tune_test_targets dir)
  _idml_targets_below(${dir} targets)
  set(pch_users "")
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    if(IDML_TEST_OPTIMIZATION)
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${IDML_TEST_OPTIMIZATION}>)
    endif()
    _idml_links_gtest(${target} gtest)
    if(gtest)
      list(APPEND pch_users ${target})
    endif()
  endforeach()
  if(NOT pch_users OR CMAKE_DISABLE_PRECOMPILE_HEADERS)
    return()
  endif()
  # The header is compiled once, by a target with the flags every test program
  # shares (the engine's definitions, GoogleTest's); each test program may add
  # definitions of its own (golden folders), which both GCC and clang accept.
  set(anchor ${CMAKE_CURRENT_BINARY_DIR}/idml_test_pch.cpp)
  file(GENERATE OUTPUT ${anchor} CONTENT "// The translation unit that builds tests/precompiled.h's precompiled header.\n")
  add_library(idml_test_pch OBJECT ${anchor})
  target_link_libraries(idml_test_pch PRIVATE idml_engine GTest::gtest nlohmann_json::nlohmann_json)
  if(IDML_TEST_OPTIMIZATION)
    target_compile_options(idml_test_pch PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${IDML_TEST_OPTIMIZATION}>)
  endif()
  target_precompile_headers(idml_test_pch PRIVATE ${CMAKE_SOURCE_DIR}/tests/precompiled.h)
  foreach(target IN LISTS pch_users)
    target_precompile_headers(${target} REUSE_FROM idml_test_pch)
  endforeach()
endfunction()

# The `idml` program's precompiled header (train/cli/precompiled.h) and
# optimisation level; call it once the target exists.
function(idml_tune_cli target)
  target_precompile_headers(${target} PRIVATE ${CMAKE_SOURCE_DIR}/train/cli/precompiled.h)
  if(IDML_CLI_OPTIMIZATION)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${IDML_CLI_OPTIMIZATION}>)
  endif()
endfunction()
