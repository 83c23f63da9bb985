#!/usr/bin/env bash
# Builds idml with CUDA and writes the relocatable GPU release:
#   dist/idml-<version>-linux-x86_64-cuda<major>/   and its .tar.gz
#     bin/idml, bin/check_gpu.sh     the program and its self-check on a GPU node
#     libexec/                       the CUDA tests and benchmark programs check_gpu.sh runs
#     lib/                           the plug-ins (libidml_cuda.so, libidml_nccl.so, libidml_mpi.so) and every
#                                    shared library the programs need that a bare GPU node may lack (oneDNN,
#                                    OpenMP, matio and what it pulls in, libstdc++, ...), found through
#                                    RPATH $ORIGIN/../lib; not glibc, not the driver, not the CUDA libraries
#                                    (found on the node at run time: engine/cuda/library_search.h), not MPI
#                                    (the node's, when mpirun/srun start idml)
#     share/idml/                    the PyTorch peer of the IDML step, the demo's CPU figures, two photos
#                                    for the loader's rate, README.md
# Usage: scripts/package.sh [--build-dir DIR] [--out DIR]
#   --build-dir DIR  package an existing CUDA build instead of configuring build-release/ (CI reuses build/)
#   --out DIR        where the release goes (default dist/)
# Environment: IDML_CUDA_ARCHS (default "90-real;90-virtual": Hopper code plus PTX that newer GPUs compile),
# JOBS (default: all cores), IDML_CMAKE_ARGS (extra configure arguments, e.g. ccache), IDML_BENCH_IMAGES
# (two JPEG photos for check_gpu.sh's loader rate; default: Debian python3-sklearn's).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=""
out="$root/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "package.sh: unknown argument '$1' (expected --build-dir DIR or --out DIR)" >&2; exit 2 ;;
  esac
done
command -v patchelf >/dev/null || { echo "package.sh: patchelf is missing (apt-get install patchelf; scripts/setup.sh installs it)" >&2; exit 2; }

if [ -z "$build" ]; then
  build="$root/build-release"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DIDML_CUDA=ON \
    "-DCMAKE_CUDA_ARCHITECTURES=${IDML_CUDA_ARCHS:-90-real;90-virtual}" ${IDML_CMAKE_ARGS:-}
fi
grep -q '^IDML_CUDA_BUILT:INTERNAL=ON' "$build/CMakeCache.txt" 2>/dev/null || {
  echo "package.sh: $build is not a build with the CUDA backend (configure with the CUDA toolkit and cuDNN present)" >&2
  exit 2
}
programs=(idml test_engine_cuda test_models_cuda test_train_metrics_cuda bench_cuda bench_resnet50 bench_data)
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${programs[@]}"

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
cuda_major=$(sed -n 's/^IDML_CUDA_MAJOR:INTERNAL=//p' "$build/CMakeCache.txt")
name="idml-$version-linux-x86_64-cuda$cuda_major"
release="$out/$name"
rm -rf "$release" "$out/$name.tar.gz"
mkdir -p "$release"/{bin,libexec,lib,share/idml}

# The programs and the plug-ins.
cp "$build/idml" "$release/bin/"
for program in "${programs[@]:1}"; do
  found=$(find "$build" -type f -name "$program" -perm -u+x | head -1)
  [ -n "$found" ] || { echo "package.sh: $program was not built in $build" >&2; exit 1; }
  cp "$found" "$release/libexec/"
done
cp "$build"/lib/libidml_*.so "$release/lib/"
strip --strip-unneeded "$release"/bin/idml "$release"/libexec/* "$release"/lib/libidml_*.so

# Every library the programs load that a bare node may lack. Not bundled: glibc's (every node has one as
# new as Debian 12's), the driver's, the CUDA libraries (the node's, found at run time) and MPI's (the node's).
not_bundled='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libresolv|libutil|libanl|libnsl|libcuda|libnvidia-|libcudart|libcublas|libcublasLt|libcudnn|libnccl|libnvrtc|libnvJitLink|libmpi|libopen-rte|libopen-pal|libpmix|libucp|libucs|libuct|libucm)\.so'
bundle() {  # the dependencies of $1 (ldd, transitively), copied into lib/
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r soname path; do
    if [[ "$soname" =~ $not_bundled ]] || [ -e "$release/lib/$soname" ]; then continue; fi
    cp -L "$path" "$release/lib/$soname"
  done
}
for elf in "$release"/bin/idml "$release"/libexec/* "$release"/lib/libidml_cuda.so; do bundle "$elf"; done
# libidml_nccl.so and libidml_mpi.so need only the node's NCCL and MPI besides what is bundled already.
for elf in "$release"/bin/idml "$release"/libexec/*; do patchelf --force-rpath --set-rpath '$ORIGIN/../lib' "$elf"; done
for lib in "$release"/lib/*.so*; do patchelf --set-rpath '$ORIGIN' "$lib"; done

# The self-check and what it reads.
cp scripts/check_gpu.sh "$release/bin/"
cp bench/train/idml_step_torch.py scripts/gpu/demo_cpu_reference.txt "$release/share/idml/"
cp scripts/gpu/README.md "$release/share/idml/README.md"
# JPEG photos for the loader's rate: IDML_BENCH_IMAGES (a.jpg:b.jpg, as bench_data takes them) or Debian's
# python3-sklearn's two, with the attribution their licence asks for (README.txt beside them); without
# photos the release's check_gpu.sh skips that step and says so.
sklearn_images=/usr/lib/python3/dist-packages/sklearn/datasets/images
IFS=: read -r -a photos <<< "${IDML_BENCH_IMAGES:-$sklearn_images/china.jpg:$sklearn_images/flower.jpg}"
for photo in "${photos[@]}"; do
  [ -f "$photo" ] || continue
  mkdir -p "$release/share/idml/images"
  cp "$photo" "$release/share/idml/images/"
  [ -f "$(dirname "$photo")/README.txt" ] && cp "$(dirname "$photo")/README.txt" "$release/share/idml/images/"
done
[ -d "$release/share/idml/images" ] ||
  echo "package.sh: no JPEG photos for the loader's rate (set IDML_BENCH_IMAGES=a.jpg:b.jpg); check_gpu.sh will skip it" >&2
{
  echo "idml $version, $(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git')"
  (env -u LD_LIBRARY_PATH "$release/bin/idml" doctor 2>&1 || true) | grep -E '^build:'  # the release runs here too
  echo "packaged $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
} > "$release/share/idml/BUILD"

tar -C "$out" -czf "$out/$name.tar.gz" "$name"
echo "package.sh: $release ($(du -sh "$release" | cut -f1)), $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
