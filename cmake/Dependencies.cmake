# Third-party libraries, all from Debian packages (scripts/setup.sh installs them).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)

# oneDNN (libdnnl-dev) for CPU convolutions and sgemm: it picks AVX2, AVX-512
# or AMX kernels when it runs. Debian builds it on OpenMP (libgomp), like our
# loops, so there is one threading runtime in the process.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY NAMES dnnl)
if(NOT DNNL_INCLUDE_DIR OR NOT DNNL_LIBRARY)
  message(FATAL_ERROR "oneDNN not found: install libdnnl-dev (scripts/setup.sh does)")
endif()
add_library(idml_onednn INTERFACE)
target_include_directories(idml_onednn SYSTEM INTERFACE ${DNNL_INCLUDE_DIR})
target_link_libraries(idml_onednn INTERFACE ${DNNL_LIBRARY})
message(STATUS "idml: oneDNN ${DNNL_LIBRARY}")

find_path(STB_INCLUDE_DIR stb_image.h HINTS /usr/include/stb)
find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp)
find_package(nlohmann_json 3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(MATIO IMPORTED_TARGET matio)

# The search index (train/search): hnswlib (libhnswlib-dev, header-only) for
# the HNSW graph, xxHash (libxxhash-dev) for the files' checksums.
find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h)
if(NOT HNSWLIB_INCLUDE_DIR)
  message(FATAL_ERROR "hnswlib not found: install libhnswlib-dev (scripts/setup.sh does)")
endif()
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)

if(IDML_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(IDML_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# ONNX export (libonnx-dev 1.12 and libprotobuf-dev): the ONNX project's
# protobuf classes, checker and shape inference; its CMake package needs
# protobuf's target first.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)
