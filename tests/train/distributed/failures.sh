#!/usr/bin/env bash
# Failure paths of a multi-rank `idml train` (2 ranks, CPU, Open MPI):
#  - one rank fails (its --data-root is missing) while the other goes on to its
#    first collective: both must exit, non-zero, within seconds, with the
#    failing rank's message naming its rank (MPI_Abort; without it rank 0 waits
#    forever in all_gather);
#  - --batch-size not divisible by the number of ranks: an error naming both.
# Usage: failures.sh IDML MPIEXEC [MPIEXEC_FLAGS...]
set -u
idml="$1"; shift
mpiexec=("$@")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tiny=(train --dataset fashion-mnist --per-class-cap 8 --model resnet18 --embedding-size 16 --image-size 32
      --resize-size 32 --epochs 1 --workers 0 --threads 1 --log-dir "$work")
failed=0

start=$(date +%s)
output=$(timeout 60 "${mpiexec[@]}" -np 1 "$idml" "${tiny[@]}" --batch-size 8 : -np 1 "$idml" "${tiny[@]}" --batch-size 8 \
  --data-root "$work/missing" 2>&1)
status=$?; seconds=$(( $(date +%s) - start ))
if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || [ "$seconds" -gt 30 ] ||
   ! grep -Eq "idml: error: rank 1 of 2: .*$work/missing" <<<"$output"; then
  failed=1; echo "FAILED: one failing rank: exit $status after $seconds s; output:"; echo "$output" | tail -15
else
  echo "ok: rank 1 failed, both ranks ended with exit $status after $seconds s"
fi

output=$(timeout 60 "${mpiexec[@]}" -np 2 "$idml" "${tiny[@]}" --batch-size 7 2>&1); status=$?
if [ "$status" -eq 0 ] || ! grep -q -- "--batch-size 7 is not divisible by the 2 ranks" <<<"$output"; then
  failed=1; echo "FAILED: --batch-size 7 on 2 ranks: exit $status; output:"; echo "$output" | tail -8
else
  echo "ok: --batch-size 7 on 2 ranks is an error naming both"
fi
exit $failed
