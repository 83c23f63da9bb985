#!/usr/bin/env bash
# idml against PyTorch on the CPU, the same IDML step and inference, runs
# alternating (A B A B ...) so a drifting machine hits both alike; prints each
# run's images/s and, per round, the ratio idml / PyTorch.
#   bench/train/side_by_side.sh MODEL BATCH SIZE [ROUNDS] [STEPS] [THREADS] [OTHER_IDML]
# OTHER_IDML: a second idml binary (e.g. a build of an older commit) run in
# each round too, for before/after figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$1 batch=$2 size=$3 rounds=${4:-3} steps=${5:-2} threads=${6:-2} other=${7:-}
export OMP_NUM_THREADS=$threads
export IDML_CPU_CONV=${IDML_CPU_CONV:-onednn}  # the default; IDML_CPU_CONV=im2col for the im2col + GEMM path
run_idml() {
  "$1" bench --model "$model" --batch-size "$batch" --image-size "$size" --steps "$steps" --json
}
for r in $(seq "$rounds"); do
  ours=$(run_idml build/idml)
  torch=$(/usr/bin/python3 bench/train/idml_step_torch.py --model "$model" --batch-size "$batch" \
          --image-size "$size" --steps "$steps" --threads "$threads")
  line="round $r idml $ours torch $torch"
  [ -n "$other" ] && line="$line other $(run_idml "$other")"
  echo "$line"
done | /usr/bin/python3 -c '
import json, re, sys
for line in sys.stdin:
    parts = dict(re.findall(r"(idml|torch|other) (\{[^}]*\})", line))
    runs = {k: json.loads(v) for k, v in parts.items()}
    out = [line.split()[0] + " " + line.split()[1]]
    for kind in ("train", "inference"):
        key = kind + "_images_per_second"
        o, t = runs["idml"][key], runs["torch"][key]
        s = f"{kind}: idml {o:.2f} img/s, torch {t:.2f} img/s, ratio {o / t:.2f}"
        if "other" in runs:
            b = runs["other"][key]
            s += f", other idml {b:.2f} img/s (idml / other {o / b:.2f})"
        out.append(s)
    print(" | ".join(out), flush=True)
'
