#!/usr/bin/env bash
# Data parallelism on the CPU: images/s of the demo's training step (ResNet-18
# at 64 px, batch 64, BN in training mode, mixup, AdamW; scripts/demo.sh) on
# 1 rank x 2 threads against 2 ranks x 1 thread (mpirun), and the share of the
# step spent in collectives (all_gather of the embeddings, gradient buckets,
# the epoch's replica checksum). One epoch of 5 x CAP images (CAP=200: 15 steps).
# Usage: [CAP=200] bench/train/data_parallel.sh [BUILD_DIR]   (needs openmpi-bin)
set -euo pipefail
build="${1:-build}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
demo=(train --dataset fashion-mnist --model resnet18 --embedding-size 128 --image-size 64 --resize-size 64
      --per-class-cap "${CAP:-200}" --batch-size 64 --lr 1e-3 --warm 0 --bn-freeze 0 --epochs 1 --workers 1 --seed 0
      --clustering off)

report() {  # report LABEL RUN_DIR
  local line; line=$(grep '"event":"epoch"' "$2"/logs_fashion-mnist/*/metrics.jsonl | tail -1)
  python3 - "$1" "$line" "$(( 5 * ${CAP:-200} / 64 ))" <<'PY'
import json, sys
r = json.loads(sys.argv[2])
comm = r.get("communication_seconds", 0.0)
steps = int(sys.argv[3])
print(f"{sys.argv[1]}: {r['images_per_second']:.1f} img/s (train), {r['train_seconds']:.1f} s; "
      f"communication {comm:.2f} s = {1000 * comm / steps:.1f} ms/step ({100 * comm / r['train_seconds']:.1f}% of the step)")
PY
}

"$build/idml" "${demo[@]}" --threads 2 --log-dir "$work/one" > "$work/one.log" 2>&1
report "1 rank  x 2 threads" "$work/one"
mpirun --oversubscribe -np 2 "$build/idml" "${demo[@]}" --threads 1 --log-dir "$work/two" > "$work/two.log" 2>&1
report "2 ranks x 1 thread " "$work/two"
