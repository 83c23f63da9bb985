#!/usr/bin/env bash
# The release's self-check on a GPU node, in one command with one deadline:
#   bin/check_gpu.sh [OUT_DIR] [--deadline SECONDS] [--fashion-mnist DIR] [--quick]
# It runs, each step within what is left of the deadline (default 360 s):
#   1. idml doctor (libraries, driver, GPUs, smoke test);
#   2. every CUDA test program; a test that skips while nvidia-smi lists a GPU
#      is a failure; after a failure, every suite again alone with
#      CUDA_LAUNCH_BLOCKING=1, so that one sticky error hides nothing;
#   3. GPU-vs-CPU parity: ResNet-50 forward + backward, and one IDML step
#      (bench_resnet50 --check);
#   4. the same and the convolution tests with IDML_CUDNN_BENCHMARK=0
#      (cuDNN's heuristic algorithms and workspace sizes);
#   5. idml bench --device cuda, ResNet-50, batch 120, 224 px, FP32 and TF32,
#      and, when python3 has PyTorch with CUDA, the same IDML step in PyTorch
#      (share/idml/idml_step_torch.py: FP32, TF32, channels-last + bf16) as ratios;
#   6. one epoch of the demo (Fashion-MNIST, ResNet-18, 64 px) with --device
#      cuda beside the CPU's figures (share/idml/demo_cpu_reference.txt);
#   7. the data loader's rate at 224 px on JPEGs with every core, against the
#      GPU's training rate;
#   8. if time is left, compute-sanitizer --tool memcheck on the CUDA tests.
# It writes at most 8 files to OUT_DIR (default ./idml-gpu-check): summary.txt,
# doctor.txt, tests.txt, parity.txt, bench.txt, demo.txt, loader.txt,
# sanitizer.txt, and prints the summary table last. Exit status: 0 all passed,
# 1 something failed, 2 no GPU (then it ends within seconds).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
idml="$here/bin/idml"
libexec="$here/libexec"
share="$here/share/idml"

out="./idml-gpu-check"
deadline=360
fashion="${IDML_FASHION_MNIST:-}"
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --deadline) deadline="$2"; shift 2 ;;
    --fashion-mnist) fashion="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    -*) echo "check_gpu.sh: unknown option '$1'" >&2; exit 2 ;;
    *) out="$1"; shift ;;
  esac
done
[[ "$deadline" =~ ^[0-9]+$ ]] || { echo "check_gpu.sh: --deadline needs seconds, got '$deadline'" >&2; exit 2; }
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
for f in summary doctor tests parity bench demo loader sanitizer; do : > "$out/$f.txt"; done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
start=$(date +%s)
cores=$(nproc)

left() { echo $((deadline - ($(date +%s) - start))); }
rows=()
row() { rows+=("$(printf '%-28s %-7s %s' "$1" "$2" "$3")"); echo "check_gpu: $1: $2 $3"; }
failed=0
fail() { failed=1; row "$@"; }

# run BUDGET FILE CMD...: CMD with the smaller of BUDGET and what is left (less 10 s for the summary),
# output appended to FILE; status 124 when it ran out of time, 125 when no time was left to start.
run() {
  local budget=$1 file=$2; shift 2
  local limit; limit=$(left); limit=$((limit - 10))
  [ "$budget" -lt "$limit" ] && limit=$budget
  if [ "$limit" -lt 5 ]; then echo "[not run: deadline] $*" >> "$file"; return 125; fi
  echo "\$ $* (limit ${limit}s)" >> "$file"
  timeout --kill-after=5 "$limit" "$@" >> "$file" 2>&1
  local rc=$?
  [ "$rc" = 137 ] && rc=124  # killed after the grace period: out of time all the same
  return "$rc"
}
json_number() { grep -o "\"$1\": *[-0-9.e+]*" "$2" | tail -1 | sed 's/.*: *//'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }

summary() {
  local gpu; gpu=$(grep -m1 '^GPU 0:' "$out/doctor.txt" | sed 's/^GPU 0: //; s/,.*//')
  {
    echo "== idml check_gpu: ${gpu:-no GPU}, $(($(date +%s) - start)) s of the ${deadline} s deadline =="
    printf '%-28s %-7s %s\n' step status details
    printf '%s\n' "${rows[@]}"
    echo "overall: $1"
  } > "$out/summary.txt"
  echo
  cat "$out/summary.txt"
}

# --- 1. doctor -------------------------------------------------------------
listed=0
if command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then listed=1; fi
run 60 "$out/doctor.txt" "$idml" doctor
doctor_rc=$?
if [ "$doctor_rc" = 0 ]; then
  row doctor PASS "$(grep '^result:' "$out/doctor.txt" | sed 's/^result: //'); $(grep -m1 '^runtime:' "$out/doctor.txt" | sed 's/^runtime: //')"
else
  reason=$(grep '^result:' "$out/doctor.txt" | sed 's/^result: //')
  [ -n "$reason" ] || reason="idml doctor ended with status $doctor_rc (see doctor.txt)"
  if [ "$listed" = 0 ]; then
    row doctor "NO GPU" "$reason"
    row "everything else" SKIP "no GPU on this machine (nvidia-smi lists none)"
    summary "NO GPU: $reason"
    exit 2
  fi
  fail doctor FAIL "$reason (nvidia-smi lists a GPU)"
fi

# --- 2. CUDA tests ---------------------------------------------------------
tests=()
for t in test_engine_cuda test_models_cuda test_train_metrics_cuda; do [ -x "$libexec/$t" ] && tests+=("$libexec/$t"); done
passed=0 failures=0 skipped=0 rerun_notes=""
for t in "${tests[@]}"; do
  log="$scratch/$(basename "$t").log"
  run $((quick ? 120 : 200)) "$log" "$t" --gtest_brief=1
  rc=$?
  cat "$log" >> "$out/tests.txt"
  p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$log" | grep -oE '[0-9]+' | tail -1)
  s=$(grep -oE '^\[  SKIPPED \] [0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
  passed=$((passed + ${p:-0})) failures=$((failures + ${f:-0})) skipped=$((skipped + ${s:-0}))
  if [ "$rc" != 0 ] && [ -z "$f" ]; then failures=$((failures + 1)); rerun_notes+=" $(basename "$t") ended with status $rc;"; fi
  if [ "$rc" != 0 ]; then  # every suite alone, kernels synchronous: the first failing call is the culprit
    for suite in $("$t" --gtest_list_tests 2>/dev/null | grep -E '^[A-Za-z_]' | sed 's/\..*//' | sort -u); do
      echo "--- rerun $suite with CUDA_LAUNCH_BLOCKING=1" >> "$out/tests.txt"
      CUDA_LAUNCH_BLOCKING=1 run 60 "$out/tests.txt" "$t" --gtest_brief=1 "--gtest_filter=$suite.*" ||
        rerun_notes+=" $suite;"
    done
  fi
done
details="$passed passed, $failures failed, $skipped skipped (${#tests[@]} programs)"
[ -n "$rerun_notes" ] && details+="; failing alone with CUDA_LAUNCH_BLOCKING=1:$rerun_notes"
if [ "${#tests[@]}" = 0 ]; then fail "CUDA tests" FAIL "no test program in $libexec"
elif [ "$failures" -gt 0 ]; then fail "CUDA tests" FAIL "$details"
elif [ "$skipped" -gt 0 ] && [ "$listed" = 1 ]; then fail "CUDA tests" FAIL "$details: a test skipped while nvidia-smi lists a GPU"
else row "CUDA tests" PASS "$details"; fi

# --- 3, 4. parity ------------------------------------------------------------
parity() {  # label, then environment assignments
  local label=$1; shift
  local log="$scratch/parity_${label//[^a-z]/}.log"
  echo "=== $label" >> "$out/parity.txt"
  run $((quick ? 90 : 150)) "$log" env "$@" "$libexec/bench_resnet50" --check
  local rc=$?
  cat "$log" >> "$out/parity.txt"
  local fwd cos step
  fwd=$(awk '$1 == "RESULT" && $2 == "resnet50_gpu_vs_cpu_worst_error" { print $3 }' "$log")
  cos=$(awk '$1 == "RESULT" && $2 == "idml_step_grad_cosine" { print $3 }' "$log")
  step=$(awk '$1 == "RESULT" && $2 == "idml_step_grad_worst_error" { print $3 }' "$log")
  local details="fwd+bwd worst ${fwd:--}; IDML step gradients cosine ${cos:--}, worst ${step:--} (max|gpu-cpu|/rms, limit 2e-3)"
  case $rc in
    0) row "$label" PASS "$details" ;;
    124) fail "$label" TIMEOUT "$details" ;;
    125) row "$label" SKIP "deadline" ;;
    *) fail "$label" FAIL "$details (status $rc, see parity.txt)" ;;
  esac
}
parity "parity (cuDNN timed)" IDML_CUDNN_BENCHMARK=1
parity "parity (cuDNN heuristics)" IDML_CUDNN_BENCHMARK=0
if [ -x "$libexec/test_engine_cuda" ]; then  # the convolution tests on the heuristics' algorithms too
  IDML_CUDNN_BENCHMARK=0 run 90 "$out/parity.txt" "$libexec/test_engine_cuda" --gtest_brief=1 '--gtest_filter=*onv*'
  case $? in
    0) row "conv tests (heuristics)" PASS "IDML_CUDNN_BENCHMARK=0 test_engine_cuda --gtest_filter='*onv*'" ;;
    125) row "conv tests (heuristics)" SKIP "deadline" ;;
    *) fail "conv tests (heuristics)" FAIL "see parity.txt" ;;
  esac
fi

# --- 5. speed, beside PyTorch -------------------------------------------------
steps=$((quick ? 3 : 10))
bench_args=(bench --device cuda --model resnet50 --batch-size 120 --image-size 224 --steps "$steps" --json)
torch_ok=0
if command -v python3 >/dev/null && timeout 90 python3 -c \
    "import sys, torch, torchvision; sys.exit(0 if torch.cuda.is_available() else 1)" >> "$out/bench.txt" 2>&1; then
  torch_ok=1
fi
gpu_train_rate=0
for precision in fp32 tf32 bf16; do
  idml_train=0 idml_infer=0 idml_mem=- torch_train=0 torch_infer=0 torch_mem=-
  if [ "$precision" != bf16 ]; then
    log="$scratch/idml_$precision.json"
    tf32=0; [ "$precision" = tf32 ] && tf32=1
    run 120 "$log" env IDML_TF32=$tf32 "$idml" "${bench_args[@]}"
    rc=$?
    cat "$log" >> "$out/bench.txt"
    idml_train=$(json_number train_images_per_second "$log"); idml_infer=$(json_number inference_images_per_second "$log")
    idml_mem=$(json_number gpu_peak_allocated_gib "$log")
    [ "$precision" = fp32 ] && gpu_train_rate=${idml_train:-0}
    if [ "$rc" = 125 ]; then row "speed $precision" SKIP "deadline"; continue; fi
    if [ "$rc" != 0 ] || [ -z "$idml_train" ]; then fail "speed $precision" FAIL "idml bench ended with status $rc (see bench.txt)"; continue; fi
  fi
  if [ "$torch_ok" = 1 ]; then
    log="$scratch/torch_$precision.json"
    run 150 "$log" python3 "$share/idml_step_torch.py" --device cuda --precision "$precision" --model resnet50 \
      --batch-size 120 --image-size 224 --steps "$steps"
    cat "$log" >> "$out/bench.txt"
    torch_train=$(json_number train_images_per_second "$log"); torch_infer=$(json_number inference_images_per_second "$log")
    torch_mem=$(json_number gpu_peak_allocated_gib "$log")
  fi
  if [ "$precision" = bf16 ]; then
    [ "$torch_ok" = 0 ] && row "speed bf16" SKIP "no PyTorch with CUDA in python3"
    [ "$torch_ok" = 1 ] && row "speed bf16 (PyTorch only)" INFO \
      "PyTorch channels-last + bf16 autocast: train ${torch_train:--} img/s, inference ${torch_infer:--} img/s, ${torch_mem:--} GiB; idml has no bf16 training yet"
    continue
  fi
  details="idml train ${idml_train} img/s, inference ${idml_infer} img/s, ${idml_mem:--} GiB"
  if [ "$torch_ok" = 1 ]; then
    details+="; PyTorch ${torch_train:--} / ${torch_infer:--} img/s, ${torch_mem:--} GiB; idml/PyTorch train $(ratio "$idml_train" "${torch_train:-0}"), inference $(ratio "$idml_infer" "${torch_infer:-0}")"
  else
    details+="; no PyTorch with CUDA here: no ratio"
  fi
  row "speed $precision" PASS "$details"
done

# --- 6. the demo's epoch on the GPU ---------------------------------------------
if [ -z "$fashion" ] && [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  fashion=/usr/share/datasets/fashion-mnist
fi
if [ -z "$fashion" ]; then
  row "demo epoch (cuda)" SKIP "no Fashion-MNIST (give --fashion-mnist DIR; scripts/gpu/fashion_mnist_subset.sh makes a small one)"
else
  log="$scratch/demo.log"
  run $((quick ? 120 : 180)) "$log" "$idml" train --dataset fashion-mnist --data-root "$fashion" --model resnet18 \
    --embedding-size 128 --image-size 64 --resize-size 64 --per-class-cap 1000 --batch-size 64 --lr 1e-3 --warm 0 \
    --bn-freeze 0 --epochs 1 --eval-before --workers "$cores" --seed 0 --device cuda --report 0 --LOG_DIR "$scratch/demo-logs"
  rc=$?
  grep -E '^(\$ |data:|pretrained:|log directory:|before training:|epoch 1/1:|  (eval|seen) |idml: )' "$log" >> "$out/demo.txt"
  echo "--- the CPU's figures (share/idml/demo_cpu_reference.txt)" >> "$out/demo.txt"
  cat "$share/demo_cpu_reference.txt" >> "$out/demo.txt" 2>/dev/null
  epoch=$(grep -m1 '^epoch 1/1:' "$log" | sed 's/^epoch 1\/1: //')
  seen=$(grep 'seen (training classes' "$log" | tail -1 | grep -oE 'MAP@R [0-9.]+')
  cpu_seen=$(grep 'seen (training classes' "$share/demo_cpu_reference.txt" 2>/dev/null | tail -1 | grep -oE 'MAP@R [0-9.]+')
  case $rc in
    0) row "demo epoch (cuda)" PASS "$epoch; seen ${seen:-?} (CPU: ${cpu_seen:-?}; see demo.txt)" ;;
    125) row "demo epoch (cuda)" SKIP "deadline" ;;
    124) fail "demo epoch (cuda)" TIMEOUT "see demo.txt" ;;
    *) fail "demo epoch (cuda)" FAIL "idml train ended with status $rc (see demo.txt)" ;;
  esac
fi

# --- 7. the loader's rate ---------------------------------------------------------
images="${IDML_BENCH_IMAGES:-}"
if [ -z "$images" ]; then images=$(find "$share/images" -name "*.jpg" 2>/dev/null | sort | paste -sd:); fi
if [ -z "$images" ]; then
  row "loader 224 px" SKIP "no JPEG photos (set IDML_BENCH_IMAGES=a.jpg:b.jpg)"
else
  log="$scratch/loader.json"
  IDML_BENCH_IMAGES="$images" run 90 "$log" "$libexec/bench_data" "--benchmark_filter=BM_DataLoaderTrainEpoch/$cores\$" \
    --benchmark_format=json
  rc=$?
  cat "$log" >> "$out/loader.txt"
  rate=$(json_number items_per_second "$log")
  if [ "$rc" = 125 ]; then row "loader 224 px" SKIP "deadline"
  elif [ "$rc" != 0 ] || [ -z "$rate" ]; then fail "loader 224 px" FAIL "bench_data ended with status $rc (see loader.txt)"
  else
    verdict="enough"
    awk -v l="$rate" -v g="$gpu_train_rate" 'BEGIN { exit !(g > 0 && l < g) }' && verdict="the GPU waits for the loader"
    row "loader 224 px" INFO "$(printf '%.0f' "$rate") img/s decoded + augmented on $cores threads against the GPU's FP32 training $(printf '%.0f' "$gpu_train_rate") img/s ($(ratio "$rate" "$gpu_train_rate")x: $verdict)"
  fi
fi

# --- 8. memcheck, if time is left ------------------------------------------------
sanitizer=$(command -v compute-sanitizer || ls "${CUDA_HOME:-/usr/local/cuda}"/bin/compute-sanitizer 2>/dev/null | head -1)
if [ -z "$sanitizer" ]; then
  row memcheck SKIP "compute-sanitizer not on PATH nor in \$CUDA_HOME/bin"
elif [ "$(left)" -lt 60 ]; then
  row memcheck SKIP "deadline ($(left) s left)"
else
  run $(($(left) - 15)) "$out/sanitizer.txt" "$sanitizer" --tool memcheck --error-exitcode 9 \
    "$libexec/test_engine_cuda" --gtest_brief=1 '--gtest_filter=-CudaLarge.*'
  case $? in
    0) row memcheck PASS "compute-sanitizer memcheck: no error in test_engine_cuda (CudaLarge excluded)" ;;
    124) row memcheck INFO "ran out of time before the end; no error up to then (see sanitizer.txt)" ;;
    125) row memcheck SKIP "deadline" ;;
    9) fail memcheck FAIL "memory errors (see sanitizer.txt)" ;;
    *) fail memcheck FAIL "see sanitizer.txt" ;;
  esac
fi

if [ "$failed" = 0 ]; then summary "PASS"; exit 0; fi
summary "FAIL (see the rows above and the files in $out)"
exit 1
