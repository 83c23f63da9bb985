#!/usr/bin/env bash
# --pretrained on `idml train` (docs/METHOD.md#2-model): required for cub / cars / SOP with a
# message saying how to proceed; `none` accepted; a missing file named; the V2
# warning for a paper recipe, from a file whose SHA-256 starts with V2's 8 hex
# digits (golden/sha256_prefix_11ad3fa6.bin: 80 bytes found by search, not
# weights, so the run then stops at the missing data). Usage: cli_pretrained.sh IDML GOLDEN_DIR
set -u
idml="$1"
v2="$2/sha256_prefix_11ad3fa6.bin"
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish

expect() {  # expect WANT_STATUS(0|nonzero) REGEX NOT_REGEX ARGS...
  local want="$1" regex="$2" not_regex="$3"; shift 3
  local output status ok=1
  output=$("$idml" "$@" 2>&1); status=$?
  if [ "$want" = nonzero ] && [ "$status" -eq 0 ]; then ok=0; fi
  grep -Eq -- "$regex" <<<"$output" || ok=0
  if [ -n "$not_regex" ] && grep -Eq -- "$not_regex" <<<"$output"; then ok=0; fi
  if [ "$ok" -eq 1 ]; then pass; else
    fail "idml $* (exit $status), expected /$regex/ and not /$not_regex/, got:"; echo "$output" | tail -5
  fi
}

for dataset in cub cars SOP; do
  expect nonzero "--pretrained is required for --dataset $dataset.*resnet50-0676ba61.pth.*--pretrained none" "" \
    train --dataset "$dataset" --data-root /nonexistent
  expect nonzero '/nonexistent' 'required' train --dataset "$dataset" --data-root /nonexistent --pretrained none
done
expect nonzero '--pretrained /nonexistent/resnet50.pth: no such file' "" \
  train --dataset cub --data-root /nonexistent --pretrained /nonexistent/resnet50.pth

# The fixture really has V2's digits (torchvision's name check, hash_prefix = first 8 hex digits).
check "$v2 hashes to 11ad3fa6..." bash -c "sha256sum '$v2' | grep -q '^11ad3fa6'"
expect nonzero 'warning: --pretrained is torchvision ResNet-50 IMAGENET1K_V2 .*resnet50-0676ba61.pth' "" \
  train --dataset cub --data-root /nonexistent --pretrained "$v2"
expect nonzero '/nonexistent' 'warning' train --dataset fashion-mnist --data-root /nonexistent --pretrained "$v2"

finish "cli pretrained"
