#!/usr/bin/env bash
# Installs what idml needs on Debian (as root), builds a Release binary in
# build/, then runs the demo or the tests.
#   scripts/setup.sh demo   # install, build the `idml` program (CPU only), run
#                           # the Fashion-MNIST demo
#   scripts/setup.sh test   # install, build, run the whole test suite, then the
#                           # ASan+UBSan tests of the lower layers and the fuzz targets
#                           # (scripts/sanitize.sh; IDML_SANITIZE_SCOPE=all sanitizes
#                           # every test, IDML_SANITIZE_JOB=0 skips the job)
#   scripts/setup.sh build  # install and build only
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-build}"
case "$what" in
  demo|test|build) ;;
  *) echo "usage: scripts/setup.sh [demo|test|build]" >&2; exit 2 ;;
esac

packages=(build-essential cmake ninja-build pkg-config
          libdnnl-dev libstb-dev libcli11-dev nlohmann-json3-dev libmatio-dev zlib1g-dev
          libgtest-dev libgmock-dev libbenchmark-dev dataset-fashion-mnist
          libopenmpi-dev openmpi-bin
          libonnx-dev libprotobuf-dev  # idml export (the ONNX project's C++ library)
          libhnswlib-dev libxxhash-dev  # the search index (train/search): the HNSW graph, the files' checksums
          patchelf                     # scripts/package.sh: the GPU release's RPATHs
          libcpp-httplib-dev           # idml serve (serve/)
          clang-14 libclang-rt-14-dev libomp-14-dev)  # the sanitizer + fuzzing job (scripts/sanitize.sh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The demo runs on the CPU: it builds the `idml` program alone, without the
# CUDA backend (build and test configure IDML_CUDA=AUTO again and build all).
if [ "$what" = demo ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDML_CUDA=OFF ${IDML_CMAKE_ARGS:-}
  cmake --build build -j "$(nproc)" --target idml
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDML_CUDA=AUTO ${IDML_CMAKE_ARGS:-}
  cmake --build build -j "$(nproc)"
fi

case "$what" in
  demo) exec scripts/demo.sh ;;
  test)
    # ctest runs one test per core, each with its OpenMP team (and a training
    # run's loader threads): OpenMP's default busy-wait at every barrier then
    # burns the core another test needs. Waiting threads sleep instead.
    export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
    ctest --test-dir build --output-on-failure -j "$(nproc)"
    if [ "${IDML_SANITIZE_JOB:-1}" = 1 ]; then
      scripts/sanitize.sh "${IDML_SANITIZE_SCOPE:-lower}" "${IDML_FUZZ_SECONDS:-10}"
    fi ;;
esac
