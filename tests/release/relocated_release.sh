#!/usr/bin/env bash
# The GPU release, relocated, on a machine without a GPU (CI): scripts/package.sh
# from this build, the release moved to another folder, every program run with
# an empty LD_LIBRARY_PATH:
#   - ldd bin/idml: nothing "not found", the bundled libraries from the release's lib/;
#   - idml doctor names why there is no GPU and exits non-zero;
#   - check_gpu.sh ends within seconds with its "NO GPU" status and the summary, writing at most 8 files;
#   - idml train runs a few steps of the demo on the CPU;
#   - the .tar.gz stays under 60 MB.
# Usage: relocated_release.sh SOURCE_DIR BUILD_DIR
source "$(dirname "$0")/../train/cli/check.sh"
source_dir="$1" build_dir="$2"

dist="$work/dist"
if ! bash "$source_dir/scripts/package.sh" --build-dir "$build_dir" --out "$dist" > "$work/package.log" 2>&1; then
  cat "$work/package.log"
  fail "scripts/package.sh"
  finish relocated_release
  exit 1
fi
tail -1 "$work/package.log"
tarball=$(ls "$dist"/idml-*-linux-x86_64-cuda*.tar.gz)
name=$(basename "$tarball" .tar.gz)
mkdir -p "$work/elsewhere"
mv "$dist/$name" "$work/elsewhere/$name"
release="$work/elsewhere/$name"
bare() { env -i PATH=/usr/bin:/bin HOME="$work" LD_LIBRARY_PATH= "$@"; }

size=$(stat -c %s "$tarball")
check "the .tar.gz is under 60 MB ($size bytes)" test "$size" -lt 60000000

bare ldd "$release/bin/idml" > "$work/ldd.txt" 2>&1
echo "ldd bin/idml:"; sed 's/^/  /' "$work/ldd.txt"
check "ldd bin/idml: nothing not found" bash -c "! grep -q 'not found' '$work/ldd.txt'"
check "ldd bin/idml: oneDNN from the release" grep -qE "libdnnl.so.2 => $release/(bin/\.\./)?lib/libdnnl.so.2" "$work/ldd.txt"
check "ldd bin/idml: no CUDA library is linked" bash -c "! grep -qE 'libcud|libcublas|libnccl|libmpi' '$work/ldd.txt'"

bare "$release/bin/idml" doctor > "$work/doctor.txt" 2>&1
doctor_rc=$?
echo "idml doctor (status $doctor_rc):"; sed 's/^/  /' "$work/doctor.txt"
check "doctor exits non-zero without a GPU" test "$doctor_rc" -ne 0
check "doctor names why there is no GPU" grep -qE '^result: no usable GPU: .+' "$work/doctor.txt"
check "doctor loaded the plug-in of the moved release" grep -q "CUDA plug-in *$release/lib/libidml_cuda.so" "$work/doctor.txt"

start=$(date +%s)
bare "$release/bin/check_gpu.sh" "$work/check" > "$work/check.txt" 2>&1
check_rc=$?
seconds=$(( $(date +%s) - start ))
echo "check_gpu.sh (status $check_rc, $seconds s):"; sed 's/^/  /' "$work/check.txt"
check "check_gpu.sh exits 2 (no GPU)" test "$check_rc" -eq 2
check "check_gpu.sh ends within seconds ($seconds s)" test "$seconds" -lt 60
check "check_gpu.sh prints its summary last" bash -c "tail -1 '$work/check.txt' | grep -q '^overall: NO GPU: '"
check "check_gpu.sh writes at most 8 files" test "$(find "$work/check" -type f | wc -l)" -le 8

bare "$release/bin/idml" train --dataset fashion-mnist --model resnet18 --embedding-size 16 --image-size 32 \
  --resize-size 32 --per-class-cap 16 --batch-size 16 --epochs 1 --warm 0 --bn-freeze 0 --workers 2 --threads 2 \
  --clustering off --report 0 --LOG_DIR "$work/train" > "$work/train.txt" 2>&1
train_rc=$?
grep -E '^(epoch|  eval|  seen|idml:)' "$work/train.txt" | sed 's/^/  /'
check "idml train runs the demo's steps on the CPU from the release" test "$train_rc" -eq 0
check "idml train reports the epoch" grep -q '^epoch 1/1: loss' "$work/train.txt"
finish relocated_release
