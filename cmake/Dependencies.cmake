# Third-party libraries, all from Debian packages (scripts/setup.sh installs them).
find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)

# OpenBLAS built for OpenMP threading (libopenblas-openmp-dev): one threading
# runtime in the process, so BLAS and our OpenMP loops share the cores.
find_path(OPENBLAS_INCLUDE_DIR cblas.h
  HINTS /usr/include/x86_64-linux-gnu/openblas-openmp /usr/include/openblas)
find_library(OPENBLAS_LIBRARY NAMES openblas
  HINTS /usr/lib/x86_64-linux-gnu/openblas-openmp)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: install libopenblas-openmp-dev (scripts/setup.sh does)")
endif()
add_library(idml_blas INTERFACE)
target_include_directories(idml_blas SYSTEM INTERFACE ${OPENBLAS_INCLUDE_DIR})
target_link_libraries(idml_blas INTERFACE ${OPENBLAS_LIBRARY})
message(STATUS "idml: BLAS ${OPENBLAS_LIBRARY}")

# oneDNN (libdnnl-dev) for CPU convolutions: it picks AVX2, AVX-512 or AMX
# kernels when it runs. Debian builds it on OpenMP (libgomp), like our loops.
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

if(IDML_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(IDML_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
