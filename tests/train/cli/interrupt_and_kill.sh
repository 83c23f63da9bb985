#!/usr/bin/env bash
# Interruptions of `idml train` (issue 13), on a small Fashion-MNIST run:
#  - SIGINT mid-run: exit 130, a message saying how to resume, and the resumed
#    run ends with tensors byte-identical to an uninterrupted run's;
#  - a second signal quits at once;
#  - kill -9 after the first epoch: the resumed run loses nothing but the epoch
#    in flight (both epoch lines in metrics.jsonl, same tensors) and the *.tmp
#    files a kill leaves are gone once the next run has started.
# Usage: interrupt_and_kill.sh IDML
set -uo pipefail
idml="$1"
[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || { echo "Fashion-MNIST not installed: skipped"; exit 0; }
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish
flags=(--dataset fashion-mnist --per-class-cap 16 --model resnet18 --embedding-size 16 --image-size 32
       --resize-size 32 --batch-size 8 --epochs 2 --warm 1 --workers 2 --threads 2 --seed 3)
last() { echo "$1"/logs_fashion-mnist/*/fashion-mnist_resnet18_last.safetensors; }
run_dir() { echo "$1"/logs_fashion-mnist/*; }
# The tensor bytes of a safetensors file (after the 8-byte length and the JSON header).
tensor_bytes() {
  local n; n=$(od -An -t u8 -N8 "$1" | tr -d ' ')
  tail -c +$((9 + n)) "$1" | cksum
}
epoch_lines() { grep -c '"event":"epoch"' "$(run_dir "$1")/metrics.jsonl"; }
# Waits (up to 300 s) until metrics.jsonl of run $1 has $2 epoch lines.
wait_for_epochs() {
  for _ in $(seq 3000); do
    [ "$(cat "$1"/logs_fashion-mnist/*/metrics.jsonl 2>/dev/null | grep -c '"event":"epoch"')" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

"$idml" train "${flags[@]}" --LOG_DIR "$work/straight" > "$work/straight.log" 2>&1
reference=$(tensor_bytes "$(last "$work/straight")")

# SIGINT a little after the first epoch line: most likely inside epoch 2 (10 steps);
# wherever it lands, the resumed run must end identical.
"$idml" train "${flags[@]}" --LOG_DIR "$work/int" > "$work/int.log" 2>&1 &
pid=$!
wait_for_epochs "$work/int" 1
sleep 0.5
kill -INT "$pid"
wait "$pid"; status=$?
check "SIGINT exits with 130 (got $status)" [ "$status" -eq 130 ]
check "SIGINT says how to resume" grep -q "resume with: idml train --resume .*_last.safetensors" "$work/int.log"
grep -o "interrupted at [^;]*" "$work/int.log"
"$idml" train --resume "$(last "$work/int")" > "$work/int_resumed.log" 2>&1
check "resume after SIGINT finishes" [ $? -eq 0 ]
check "after SIGINT + resume the tensors equal the uninterrupted run's" \
  [ "$(tensor_bytes "$(last "$work/int")")" = "$reference" ]
check "after SIGINT + resume metrics.jsonl has both epochs" [ "$(epoch_lines "$work/int")" -eq 2 ]

# Two signals: the second quits at once (still 130).
"$idml" train "${flags[@]}" --LOG_DIR "$work/twice" > "$work/twice.log" 2>&1 &
pid=$!
wait_for_epochs "$work/twice" 1
kill -INT "$pid"; sleep 0.2; kill -INT "$pid"
wait "$pid"; status=$?
check "a second SIGINT exits with 130 (got $status)" [ "$status" -eq 130 ]

# kill -9 inside epoch 2, with a checkpoint write's leftovers planted as a kill
# during a write would leave them.
"$idml" train "${flags[@]}" --LOG_DIR "$work/kill" > "$work/kill.log" 2>&1 &
pid=$!
wait_for_epochs "$work/kill" 1
sleep 0.5
kill -KILL "$pid"
wait "$pid" 2>/dev/null
dir=$(run_dir "$work/kill")
head -c 100000 /dev/urandom > "$dir/fashion-mnist_resnet18_last.safetensors.tmp"
"$idml" train --resume "$(last "$work/kill")" > "$work/kill_resumed.log" 2>&1
check "resume after kill -9 finishes" [ $? -eq 0 ]
check "after kill -9 no *.tmp survives the next start" [ -z "$(ls "$dir" | grep '\.tmp$')" ]
check "after kill -9 + resume metrics.jsonl has both epochs" [ "$(epoch_lines "$work/kill")" -eq 2 ]
check "after kill -9 + resume the tensors equal the uninterrupted run's" \
  [ "$(tensor_bytes "$(last "$work/kill")")" = "$reference" ]

finish interruptions
