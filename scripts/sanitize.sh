#!/usr/bin/env bash
# The sanitizer and fuzzing job (scripts/setup.sh test, and so CI, runs it
# after the Release tests). One clang build in build-sanitize, -O1 with line
# tables, with ASan + UBSan (every report fatal; LeakSanitizer on, with
# scripts/lsan_suppressions.txt for the OpenMP runtime) and the libFuzzer
# targets; CUDA and benchmarks off, MPI off (Open MPI's own allocations would
# trip LeakSanitizer). SCOPE says what is built and tested under the sanitizers
# (cmake/TestScopes.cmake says why):
#   lower  (default; every commit) the tests of the lower layers, engine, io,
#          nn, models and data (CTest label lower_layers);
#   all    every test, the `idml` program's and the whole training runs too.
# Then every fuzz target of tests/fuzz runs for FUZZ_SECONDS (default 20) from
# its committed seed corpus (new inputs go to a scratch copy), as many side by
# side as there are cores. IDML_SANITIZE_CTEST_ARGS adds ctest arguments
# (e.g. -R or -E to run a part).
#   scripts/sanitize.sh [lower|all] [FUZZ_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
scope="${1:-lower}"
seconds="${2:-20}"
case "$scope" in
  lower) build_target=lower_layer_tests; ctest_scope=(-L lower_layers) ;;
  all) build_target=all; ctest_scope=() ;;
  *) echo "usage: scripts/sanitize.sh [lower|all] [FUZZ_SECONDS] (scope '$scope' is neither)" >&2; exit 2 ;;
esac
build=build-sanitize
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DIDML_CUDA=OFF -DIDML_MPI=OFF -DIDML_BUILD_BENCH=OFF -DIDML_FUZZ=ON ${IDML_CMAKE_ARGS:-}
cmake --build "$build" -j "$(nproc)" --target "$build_target"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan_suppressions.txt
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"  # as scripts/setup.sh test: tests side by side
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" "${ctest_scope[@]}" ${IDML_SANITIZE_CTEST_ARGS:-}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# One target: its line, and its exit status in $scratch/NAME.status.
fuzz_one() {
  local name="$1" corpus="$2" status=0 runs
  mkdir -p "$scratch/$name" "$scratch/$name.tmp"
  # allocator_may_return_null: a request no allocator can meet (matio asked
  # calloc for 2^64 - 238 bytes on a crafted .mat) fails as it does in a
  # Release build, and the parser must then report an error; libFuzzer's
  # malloc limit (its -rss_limit_mb, 2 GiB) still reports any large request
  # that could succeed.
  ASAN_OPTIONS="$ASAN_OPTIONS:allocator_may_return_null=1" TMPDIR="$scratch/$name.tmp" "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$scratch/$name-" "$scratch/$name" "$corpus" \
    > "$scratch/$name.log" 2>&1 || status=$?
  runs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$scratch/$name.log" | grep -o "[0-9]*$" || echo "?")
  echo "fuzz_$name: ${seconds} s, $runs runs, exit $status" > "$scratch/$name.line"
  echo "$status" > "$scratch/$name.status"
}
# The targets run side by side, one per core: each still gets its full
# FUZZ_SECONDS of one core (libFuzzer's time is wall-clock time).
names=()
for corpus in tests/fuzz/corpus/*/; do
  name=$(basename "$corpus")
  [ -x "$build/tests/fuzz/fuzz_$name" ] || continue
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_one "$name" "$corpus" &
  names+=("$name")
done
wait
failed=0
for name in "${names[@]}"; do
  cat "$scratch/$name.line" 2>/dev/null || echo "fuzz_$name: did not finish"
  if [ "$(cat "$scratch/$name.status" 2>/dev/null)" != 0 ]; then
    grep -E "ERROR|SUMMARY|Test unit written" "$scratch/$name.log" | head -20
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  trap - EXIT  # keep the inputs that failed (the paths above)
  exit 1
fi
echo "sanitize ($scope): tests and fuzzing clean"
