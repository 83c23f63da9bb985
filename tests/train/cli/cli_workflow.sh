#!/usr/bin/env bash
# The CLI end to end on a tiny run: train (1 epoch, Fashion-MNIST capped at 8
# images per class, ResNet-18 at 32 px), then eval the best checkpoint (JSON),
# embed a folder of images with it, render the run report and check it, search
# the embedded folder, export it to ONNX, and bench.
# Usage: cli_workflow.sh IDML IMAGE_DIR REPORT_CHECK TRAIN_GOLDEN_DIR
set -euo pipefail
idml="$1"
images="$2"
report_check="$3"
golden="$4"
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish

"$idml" train --dataset fashion-mnist --per-class-cap 8 --model resnet18 --embedding-size 16 --image-size 32 \
  --resize-size 32 --batch-size 8 --epochs 1 --warm 0 --workers 2 --LOG_DIR "$work/logs" > "$work/train.log"
run=$(ls -d "$work"/logs/logs_fashion-mnist/*)
check "train writes metrics.jsonl with an epoch line" grep -q '"event":"epoch"' "$run/metrics.jsonl"
check "train writes the best results file" grep -q '^Best Recall@1: ' "$run/fashion-mnist_resnet18_best_results.txt"
# The run's last line and its report count the best epoch alike, from 1 ("epoch 1/1").
check "train's last line names the best epoch as epoch 1" grep -q '; best R@1 [0-9.]* at epoch 1; run directory' "$work/train.log"
check "the report names the best epoch as epoch 1" grep -q '</b> at epoch 1' "$run/report.html"

"$idml" eval --checkpoint "$run/fashion-mnist_resnet18_best.safetensors" --dataset fashion-mnist \
  --per-class-cap 8 --image-size 32 --resize-size 32 --json > "$work/eval.json"
check "eval infers the backbone and embedding size" grep -q '"model":"resnet18"' "$work/eval.json"
check "eval reports every metric" grep -q '"eval":{"F1":.*"MAP@R":.*"NMI":.*"R@1":.*"R@8":.*"RP":' "$work/eval.json"
check "eval reports the seen split" grep -q '"seen":{' "$work/eval.json"
check "eval reports Recall@1 per class of both splits" \
  grep -Eq '"per_class":\{"eval":\[\{"R@1":[0-9.e-]+,"label":5,"queries":8\},.*\],"seen":\[\{"R@1":[0-9.e-]+,"label":0,' "$work/eval.json"
# The best R@1 of training equals eval's on the same checkpoint and data.
train_r1=$(grep '"event":"epoch"' "$run/metrics.jsonl" | tail -1 | grep -o '"eval":{[^}]*}' | grep -o '"R@1":[0-9.e-]*')
eval_r1=$(grep -o '"eval":{[^}]*}' "$work/eval.json" | grep -o '"R@1":[0-9.e-]*')
check "eval of the best checkpoint reproduces training's R@1 ($train_r1 vs $eval_r1)" test -n "$train_r1" -a "$train_r1" = "$eval_r1"

"$idml" embed --checkpoint "$run/fashion-mnist_resnet18_last.safetensors" --images "$images" --out "$work/emb" \
  --image-size 32 --resize-size 32 > "$work/embed.log"
n=$(ls "$images" | grep -Eic '\.(jpg|jpeg|png)$')
check "embed lists every image in row order" test "$(wc -l < "$work/emb_paths.txt")" -eq "$n"
check "embed writes (N, 16) float32" grep -aq "'descr': '<f4', 'fortran_order': False, 'shape': ($n, 16)" "$work/emb.npy"
check "embed writes the uncertainty embeddings" test -s "$work/emb_uncertainty.npy"
check "embed reports what it wrote" grep -q "^embedded $n images (D = 16, fp32) -> $work/emb.npy," "$work/embed.log"

# The report: written by train itself, and by `idml report`; its structure and numbers.
check "train writes report.html" grep -q '<h2 id="gallery"' "$run/report.html"
"$idml" report "$run" --out "$work/report.html" --workers 2 > "$work/report.log"
check "the report has every section, decodable images and metrics.jsonl's numbers" \
  "$report_check" "$work/report.html" "$run/metrics.jsonl"
errors() {  # errors EXPECTED_MESSAGE COMMAND...: fails unless COMMAND exits non-zero printing the message
  local expected="$1"; shift
  local out; if out=$("$@" 2>&1); then echo "exit 0: $*"; return 1; fi
  grep -qF -- "$expected" <<< "$out" || { echo "got: $out"; return 1; }
}
check "report: missing run directory" errors "no-such-run does not exist" "$idml" report "$work/no-such-run"

# Search the embedded folder with the checkpoint that embedded it.
last="$run/fashion-mnist_resnet18_last.safetensors"
# The query: grey.jpg, which has no twin in the folder (baseline/progressive.jpg,
# grey.png/grey_alpha.png and in_a/rgba.png decode to the same pixels, so for
# them "itself first" is a tie).
first=$(grep '/grey\.jpg$' "$work/emb_paths.txt")
# No --image-size/--resize-size: the index's record gives them (32, not the default 224).
"$idml" search --checkpoint "$last" --index "$work/emb" --query "$first" -k 3 \
  --html "$work/search.html" > "$work/search.txt" 2> "$work/search.err"
check "search: an indexed image finds itself first with similarity 1, with the recorded preprocessing" \
  grep -Eq "^ +1 +(1\.000000|0\.99999[89]) +$first " "$work/search.txt"
check "search: reports an exact search" grep -q "(D = 16, exact) for 1 queries" "$work/search.err"
check "search: k results" test "$(grep -Ec '^ +[0-9]+ +[0-9.-]+ ' "$work/search.txt")" -eq 3
check "search: --html writes the page with thumbnails" grep -q 'data:image/jpeg;base64' "$work/search.html"
"$idml" search --checkpoint "$last" --index "$work/emb" --query "$images" -k 2 --image-size 32 --resize-size 32 \
  --json > "$work/search.json" 2> /dev/null
check "search --json: one entry per query image" test "$(grep -o '"query":' "$work/search.json" | wc -l)" -eq "$n"
check "search --json: rank, similarity, path, class" grep -q '"class":null,"path":"[^"]*","rank":1,"similarity":' "$work/search.json"

# The record: the checkpoint by SHA-256, a contradicting flag, an index from before records.
best="$run/fashion-mnist_resnet18_best.safetensors"
check "search: another checkpoint is an error naming both" \
  errors "--checkpoint $best (sha256 $(sha256sum "$best" | cut -c1-64)) is not the model that embedded --index $work/emb: $work/emb_index.json records the checkpoint $last (sha256 $(sha256sum "$last" | cut -c1-64))" \
  "$idml" search --checkpoint "$best" --index "$work/emb" --query "$first"
check "search: a flag contradicting the record" \
  errors "--image-size 64: --index $work/emb was embedded with --image-size 32 ($work/emb_index.json)" \
  "$idml" search --index "$work/emb" --query "$first" --image-size 64
for f in emb.npy emb_paths.txt; do cp "$work/$f" "$work/legacy${f#emb}"; done
check "search: an index without a record needs the flags" \
  errors "--index $work/legacy has no record of how it was made ($work/legacy_index.json" \
  "$idml" search --checkpoint "$last" --index "$work/legacy" --query "$first"
"$idml" search --checkpoint "$last" --index "$work/legacy" --query "$first" -k 1 --image-size 32 --resize-size 32 \
  > "$work/legacy.txt" 2> "$work/legacy.err"
check "search: ... and searches with them, warning" grep -q "warning: --index $work/legacy has no record" "$work/legacy.err"
check "search: ... finding the image itself" grep -Eq "^ +1 +(1\.000000|0\.99999[89]) +$first " "$work/legacy.txt"
cp "$golden/npy_float32.npy" "$work/other.npy"  # (2, 3)
printf 'a.jpg\nb.jpg\n' > "$work/other_paths.txt"
check "search: checkpoint and index of different D" \
  errors "makes 16-d embeddings but --index $work/other.npy holds" "$idml" search --checkpoint "$last" --index "$work/other" \
  --query "$first" --image-size 32 --resize-size 32
head -n -1 "$work/emb_paths.txt" > "$work/short_paths.txt"
cp "$work/emb.npy" "$work/short.npy"
check "search: paths file not matching the rows" \
  errors "lists $((n - 1)) images but $work/short.npy has $n rows" "$idml" search --checkpoint "$last" --index "$work/short" \
  --query "$first" --image-size 32 --resize-size 32

# An index into folders that do not exist yet, searched without --checkpoint (the record names it).
"$idml" embed --checkpoint "$last" --images "$images" --out "$work/new/folders/photos" --image-size 32 --resize-size 32 \
  > "$work/embed_new.log" 2>&1
check "embed: creates the folders" test -s "$work/new/folders/photos_index.json"
check "embed: the record names the checkpoint" \
  grep -q "\"sha256\": \"$(sha256sum "$last" | cut -c1-64)\"" "$work/new/folders/photos_index.json"
"$idml" search --index "$work/new/folders/photos" --query "$first" -k 3 > "$work/new.txt" 2> "$work/new.err"
check "search: without --checkpoint, the image itself first with similarity 1" \
  grep -Eq "^ +1 +(1\.000000|0\.99999[89]) +$first " "$work/new.txt"
truncate -s -8 "$work/new/folders/photos.npy"
check "search: embeddings changed since the record are an error naming them" \
  errors "$work/new/folders/photos.npy (" "$idml" search --index "$work/new/folders/photos" --query "$first"

# Export the checkpoint to ONNX (export/README.md); its folder is created.
"$idml" export --checkpoint "$last" --out "$work/onnx/model.onnx" --batch 4 > "$work/export.log"
check "export writes a checked ONNX file and says what it holds" grep -q \
  "^exported resnet18 (D = 16, 20 convolutions with their BatchNorm folded) -> $work/onnx/model.onnx: opset 17, batch 4, 60 nodes" \
  "$work/export.log"
check "export: the file is there" test -s "$work/onnx/model.onnx"

# An HNSW index: built beside the exact one, searched through it.
"$idml" embed --checkpoint "$last" --images "$images" --out "$work/hnsw/photos" --image-size 32 --resize-size 32 \
  --index hnsw --hnsw-m 8 --hnsw-ef-construction 50 > "$work/embed_hnsw.log" 2>&1
check "embed --index hnsw: writes the graph" test -s "$work/hnsw/photos_hnsw.bin"
check "embed --index hnsw: reports it" \
  grep -q "^HNSW index (M = 8, ef_construction = 50, seed 100) -> $work/hnsw/photos_hnsw.bin" "$work/embed_hnsw.log"
"$idml" search --index "$work/hnsw/photos" --query "$first" -k 3 > "$work/hnsw.txt" 2> "$work/hnsw.err"
check "search: through the HNSW graph" grep -q "(D = 16, HNSW, ef 100) for 1 queries" "$work/hnsw.err"
check "search: HNSW finds the image itself first with similarity 1" \
  grep -Eq "^ +1 +(1\.000000|0\.99999[89]) +$first " "$work/hnsw.txt"
"$idml" search --index "$work/hnsw/photos" --query "$first" -k 3 --method exact > "$work/hnsw_exact.txt" 2>&1
check "search --method exact: the same results" diff <(grep -E '^ +[0-9]+ ' "$work/hnsw.txt") <(grep -E '^ +[0-9]+ ' "$work/hnsw_exact.txt")
truncate -s -8 "$work/hnsw/photos_hnsw.bin"
check "search: a truncated HNSW index is an error naming it" \
  errors "$work/hnsw/photos_hnsw.bin has" "$idml" search --index "$work/hnsw/photos" --query "$first"

check "bench prints both rates" bash -c "'$idml' bench --model resnet18 --batch-size 4 --image-size 32 --steps 1 --json | grep -q inference_images_per_second"
check "bench's line names the precision" bash -c \
  "'$idml' bench --model resnet18 --batch-size 4 --image-size 32 --steps 1 | grep -Eq 'inference \\(fp32\\) [0-9.]+ img/s'"

finish "cli workflow"
