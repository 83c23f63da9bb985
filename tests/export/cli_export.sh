#!/usr/bin/env bash
# Bad input to `idml export`: each case exits non-zero with a message naming
# the flag or file and what was expected, and writes nothing. (The success
# path on the command line is in tests/train/cli/cli_workflow.sh, which has a
# trained checkpoint.) Usage: cli_export.sh IDML
set -u
idml="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../train/cli/check.sh"  # $work, check, finish
printf 'this is not a checkpoint' > "$work/junk.safetensors"
printf 'x' > "$work/plain_file"
out="$work/out/model.onnx"

expect_error() {  # expect_error REGEX ARGS...
  local regex="$1"; shift
  local output status
  output=$("$idml" export "$@" 2>&1); status=$?
  if [ "$status" -ne 0 ] && grep -Eq -- "$regex" <<<"$output"; then pass; else
    fail "idml export $* (exit $status), expected /$regex/, got:"; echo "$output" | tail -5
  fi
}

expect_error '/nonexistent/model.safetensors'        --checkpoint /nonexistent/model.safetensors --out "$out"
expect_error "$work/junk.safetensors"                --checkpoint "$work/junk.safetensors" --out "$out"
expect_error "--out $work: is a folder"              --checkpoint "$work/junk.safetensors" --out "$work"
expect_error "--out $work/plain_file/m.onnx: cannot create the folder $work/plain_file" \
                                                     --checkpoint "$work/junk.safetensors" --out "$work/plain_file/m.onnx"
for batch in 0 -3 abc 2.5 ''; do
  expect_error "--batch: expected 'dynamic' or a batch size from 1 to 1048576, got '$batch'" \
                                                     --checkpoint "$work/junk.safetensors" --out "$out" --batch "$batch"
done
expect_error '--opset 18: expected 11 to 17'         --checkpoint "$work/junk.safetensors" --out "$out" --opset 18
expect_error '--opset 10: expected 11 to 17'         --checkpoint "$work/junk.safetensors" --out "$out" --opset 10
expect_error '--opset'                               --checkpoint "$work/junk.safetensors" --out "$out" --opset seventeen
expect_error "--precision: expected fp32 .*got 'fp16'" --checkpoint "$work/junk.safetensors" --out "$out" --precision fp16
expect_error '--out is required'                     --checkpoint "$work/junk.safetensors"
expect_error '--checkpoint is required'              --out "$out"
check "nothing was written" test ! -e "$work/out/model.onnx"

finish "cli export"
