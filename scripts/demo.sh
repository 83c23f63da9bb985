#!/usr/bin/env bash
# The README's demo: IDML on Fashion-MNIST on the CPU, from scratch. ResNet-18
# at 64 px, 1000 images per class (5 training classes), batch 64, lr 1e-3, no
# warm-up, BatchNorm not frozen, one epoch. It prints the retrieval metrics
# before and after training on the unseen classes 5-9 (the paper's protocol)
# and on `seen` (held-out test images of the training classes 0-4), then the
# run time. Extra arguments are passed to `idml train` (e.g. --epochs 3).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
./build/idml train --dataset fashion-mnist --model resnet18 --embedding-size 128 \
  --image-size 64 --resize-size 64 --per-class-cap 1000 --batch-size 64 --lr 1e-3 \
  --warm 0 --bn-freeze 0 --epochs 1 --eval-before --workers 2 --seed 0 \
  --log-dir demo-logs "$@"
echo "demo: finished in $(( $(date +%s) - start )) s; logs and checkpoints under demo-logs/"
