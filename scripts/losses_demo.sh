#!/usr/bin/env bash
# Each loss of --loss with ISM and with cosine on the demo's Fashion-MNIST
# setting (scripts/demo.sh: ResNet-18 at 64 px, batch 64, lr 1e-3, no warm-up,
# BN not frozen, one epoch, seed 0), printing `seen` MAP@R before and after
# training as a Markdown table. Pair-based losses get balanced batches
# (--IPC 16: 4 classes x 16 images); NPair needs exactly two images per class,
# so it runs with --batch-size 10 --IPC 2 (the 5 classes x 2).
# Usage: scripts/losses_demo.sh [IDML] [CAP]   (CAP: images per class, default 1000 as the demo)
set -euo pipefail
cd "$(dirname "$0")/.."
idml="${1:-./build/idml}"
cap="${2:-1000}"
logs="${LOSSES_DEMO_LOGS:-losses-demo-logs}"

seen_map_at_r() {  # seen_map_at_r METRICS_JSONL EVENT: the last line of EVENT's seen MAP@R, in %
  grep "\"event\":\"$2\"" "$1" | tail -1 | grep -o '"seen":{[^}]*}' | grep -o '"MAP@R":[0-9.e-]*' |
    awk -F: '{printf "%.2f", 100 * $2}'
}

echo "| --loss | --metric | flags | seen MAP@R before | after | epoch s |"
echo "|---|---|---|---|---|---|"
for loss in Proxy_Anchor Proxy_NCA MS Contrastive Triplet NPair; do
  case "$loss" in
    Proxy_Anchor | Proxy_NCA) extra=(--batch-size 64) ;;
    NPair) extra=(--batch-size 10 --IPC 2) ;;
    *) extra=(--batch-size 64 --IPC 16) ;;
  esac
  for metric in ism cosine; do
    if ! "$idml" train --dataset fashion-mnist --model resnet18 --embedding-size 128 --image-size 64 \
      --resize-size 64 --per-class-cap "$cap" --lr 1e-3 --warm 0 --bn-freeze 0 --epochs 1 --eval-before --workers 2 \
      --seed 0 --loss "$loss" --metric "$metric" "${extra[@]}" --report 0 --LOG_DIR "$logs" --remark "_$metric" \
      > "$logs.$loss.$metric.log" 2>&1; then
      echo "| $loss | $metric | ${extra[*]} | failed: see $logs.$loss.$metric.log | | |"
      continue
    fi
    dir=$(grep '^log directory: ' "$logs.$loss.$metric.log" | sed 's/^log directory: //')
    seconds=$(grep -o '"train_seconds":[0-9.]*' "$dir/metrics.jsonl" | tail -1 | cut -d: -f2)
    echo "| $loss | $metric | ${extra[*]} | $(seen_map_at_r "$dir/metrics.jsonl" eval) |" \
      "$(seen_map_at_r "$dir/metrics.jsonl" epoch) | ${seconds%.*} |"
  done
done
