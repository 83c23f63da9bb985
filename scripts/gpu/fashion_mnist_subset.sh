#!/usr/bin/env bash
# A smaller copy of Fashion-MNIST for the GPU node, where the data must travel
# with the release (the demo of check_gpu.sh reads it): the first N training
# images (default 15000, which holds more than the demo's 1000 per class of
# classes 0-4) and the whole test set, as gzip'd IDX files with corrected
# headers. About 11 MB against 30 MB.
#   scripts/gpu/fashion_mnist_subset.sh OUT_DIR [N] [SOURCE_DIR]
# SOURCE_DIR defaults to Debian's dataset-fashion-mnist install.
set -euo pipefail
out="${1:?usage: fashion_mnist_subset.sh OUT_DIR [N] [SOURCE_DIR]}"
n="${2:-15000}"
src="${3:-/usr/share/datasets/fashion-mnist}"
[[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 60000 ] || { echo "N must be 1..60000, got '$n'" >&2; exit 2; }
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  [ -f "$src/$f" ] || { echo "missing $src/$f (apt-get install dataset-fashion-mnist)" >&2; exit 2; }
done
mkdir -p "$out"
count=$(printf '\\%03o\\%03o\\%03o\\%03o' $((n >> 24 & 255)) $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))
set +o pipefail  # head closing a pipe early is no error
# IDX: 4-byte magic, then big-endian sizes (images: count, rows, cols; labels: count), then the bytes.
{ zcat "$src/train-images-idx3-ubyte.gz" | head -c 4; printf "$count"
  zcat "$src/train-images-idx3-ubyte.gz" | tail -c +9 | head -c $((8 + n * 784)); } | gzip -9 > "$out/train-images-idx3-ubyte.gz"
{ zcat "$src/train-labels-idx1-ubyte.gz" | head -c 4; printf "$count"
  zcat "$src/train-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$n"; } | gzip -9 > "$out/train-labels-idx1-ubyte.gz"
cp "$src/t10k-images-idx3-ubyte.gz" "$src/t10k-labels-idx1-ubyte.gz" "$out/"
du -sh "$out"
