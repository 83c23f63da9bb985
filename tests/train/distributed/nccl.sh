#!/usr/bin/env bash
# Runs test_nccl with one rank per visible GPU (1 when nvidia-smi finds none:
# the test then skips). Usage: nccl.sh MPIEXEC TEST_NCCL
set -u
gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
[ "${gpus:-0}" -ge 1 ] || gpus=1
exec "$1" --oversubscribe --bind-to none -np "$gpus" "$2"
