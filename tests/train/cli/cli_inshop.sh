#!/usr/bin/env bash
# The CLI on a miniature In-shop layout (make_inshop_layout): `data check`
# lists the train, query and gallery splits; `train` evaluates the queries
# among the gallery with R@1..R@50 (log, best-results file, report); `eval` of
# the best checkpoint gives training's R@1 and a per-class Recall@1; a wrong
# partition file is an error naming the file and the line.
# Usage: cli_inshop.sh IDML MAKE_INSHOP_LAYOUT REPORT_CHECK
set -euo pipefail
idml="$1"
make_layout="$2"
report_check="$3"
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish

read -r train query gallery < <("$make_layout" "$work/data")
"$idml" data check --dataset Inshop --data-root "$work/data" --json > "$work/check.json"
check "data check lists the three splits" grep -q "\"train\":{\"images\":$train,\"classes\":5},\"query\":{\"images\":$query,\"classes\":4},\"gallery\":{\"images\":$gallery,\"classes\":4},\"unreadable\":\[\]" "$work/check.json"

"$idml" train --dataset Inshop --data-root "$work/data" --model resnet18 --embedding-size 16 --image-size 32 \
  --resize-size 32 --batch-size 8 --epochs 1 --warm 0 --workers 2 --LOG_DIR "$work/logs" > "$work/train.log"
run=$(ls -d "$work"/logs/logs_Inshop/*)
check "train evaluates the queries among the gallery" \
  grep -Eq "eval \(unseen classes, queries among the gallery\): R@1 [0-9.]+  R@10 .* R@50 [0-9.]+  NMI .* MAP@R " "$work/train.log"
check "the best results file lists R@1 to R@50" grep -q '^Best Recall@50: ' "$run/Inshop_resnet18_best_results.txt"

"$idml" eval --checkpoint "$run/Inshop_resnet18_best.safetensors" --dataset Inshop --data-root "$work/data" \
  --image-size 32 --resize-size 32 --batch-size 8 --json > "$work/eval.json"
train_r1=$(grep '"event":"epoch"' "$run/metrics.jsonl" | tail -1 | grep -o '"eval":{[^}]*}' | grep -o '"R@1":[0-9.e-]*')
eval_r1=$(grep -o '"eval":{[^}]*}' "$work/eval.json" | grep -o '"R@1":[0-9.e-]*')
check "eval of the best checkpoint reproduces training's R@1 ($train_r1 vs $eval_r1)" test -n "$train_r1" -a "$train_r1" = "$eval_r1"
check "eval reports every In-shop metric" grep -q '"eval":{"F1":.*"MAP@R":.*"NMI":.*"R@1":.*"R@10":.*"R@50":.*"RP":' "$work/eval.json"
check "eval reports Recall@1 per query item" \
  grep -Eq '"per_class":\{"eval":\[\{"R@1":[0-9.e-]+,"label":0,"queries":2\},(\{[^}]*\},){2}\{"R@1":[0-9.e-]+,"label":3,"queries":2\}\]\}' "$work/eval.json"
"$idml" eval --checkpoint "$run/Inshop_resnet18_best.safetensors" --dataset Inshop --data-root "$work/data" \
  --image-size 32 --resize-size 32 --batch-size 8 --clustering off > "$work/eval.txt"
check "eval names what it searched" grep -q "^eval ($query queries among $gallery gallery images): R@1 " "$work/eval.txt"

"$idml" report "$run" --out "$work/report.html" --workers 2 > /dev/null
check "the report has every section, decodable images and metrics.jsonl's numbers" \
  "$report_check" "$work/report.html" "$run/metrics.jsonl"
check "the report's gallery shows queries among the gallery" grep -q 'queries searched among the gallery' "$work/report.html"

errors() {  # errors EXPECTED_MESSAGE COMMAND...: fails unless COMMAND exits non-zero printing the message
  local expected="$1"; shift
  local out; if out=$("$@" 2>&1); then echo "exit 0: $*"; return 1; fi
  grep -qF -- "$expected" <<< "$out" || { echo "got: $out"; return 1; }
}
list="$work/data/Inshop_Clothes/Eval/list_eval_partition.txt"
sed -i '5s/ gallery$/ validation/; 5s/ query$/ validation/; 5s/ train$/ validation/' "$list"
check "a wrong status names the file and the line" errors "$list:5: evaluation_status must be train, query or gallery, got 'validation'" \
  "$idml" data check --dataset Inshop --data-root "$work/data"
rm "$list"
check "a missing partition file names it" errors "missing $list" \
  "$idml" eval --checkpoint "$run/Inshop_resnet18_best.safetensors" --dataset Inshop --data-root "$work/data"

finish "cli inshop"
