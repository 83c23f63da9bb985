#!/usr/bin/env bash
# The classification demo (docs/METHOD.md#10-classification) on the CPU: Fashion-MNIST (all 10 classes,
# the first CAP images per class of the train and of the test files), a small
# PyramidNet (depth 11: one bottleneck block per stage, alpha 24), SGD with
# Nesterov momentum, the CIFAR LR schedule. Baseline (plain logits, no mixing)
# against ISM-Baseline (--ism 1) against IDML-CutMix (--ism 1 --mix cutmix),
# each at 2 seeds; prints the top-1 error table.
#   scripts/classify_demo.sh [path/to/idml]    (env: CAP, EPOCHS, BATCH, SEEDS, LOG)
set -euo pipefail
IDML=${1:-build/idml}
CAP=${CAP:-60}
EPOCHS=${EPOCHS:-3}
BATCH=${BATCH:-50}
SEEDS=${SEEDS:-"0 1"}
LOG=${LOG:-/tmp/idml_classify_demo}
common=(--dataset fashion-mnist --per-class-cap "$CAP" --model pyramidnet --depth 11 --alpha 24
        --batch-size "$BATCH" --lr 0.1 --epochs "$EPOCHS" --eval-every "$EPOCHS" --workers 1 --log-dir "$LOG")
declare -A flags=([Baseline]="--ism 0 --mix none" [ISM-Baseline]="--ism 1 --mix none"
                  [IDML-CutMix]="--ism 1 --mix cutmix --beta 1 --cutmix-prob 0.5")
methods=(Baseline ISM-Baseline IDML-CutMix)
declare -A result
for method in "${methods[@]}"; do
  for seed in $SEEDS; do
    # shellcheck disable=SC2086
    line=$("$IDML" classify train "${common[@]}" ${flags[$method]} --seed "$seed" --remark "_seed$seed" 2>/dev/null |
           grep '^done in')
    result[$method,$seed]=$(echo "$line" | sed -E 's/.*best top-1 error ([0-9.]+)%.*/\1/')
    echo "$method seed $seed: $line"
  done
done
echo
printf '| method | flags |'; for seed in $SEEDS; do printf ' seed %s |' "$seed"; done; printf ' mean |\n'
printf '|---|---|'; for seed in $SEEDS; do printf -- '---|'; done; printf -- '---|\n'
for method in "${methods[@]}"; do
  printf '| %s | `%s` |' "$method" "${flags[$method]}"
  sum=0; count=0
  for seed in $SEEDS; do
    printf ' %s |' "${result[$method,$seed]}"
    sum=$(awk -v a="$sum" -v b="${result[$method,$seed]}" 'BEGIN { print a + b }'); count=$((count + 1))
  done
  awk -v s="$sum" -v n="$count" 'BEGIN { printf " %.2f |\n", s / n }'
done
echo "(top-1 error in %, Fashion-MNIST test images, $CAP per class; $EPOCHS epochs)"
