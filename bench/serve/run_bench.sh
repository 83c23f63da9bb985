#!/usr/bin/env bash
# `idml serve` under load: p50/p99 latency and requests/s at 1, 4 and 16
# concurrent clients, with batching on (--max-batch 16, --batch-wait-ms 2)
# and off (--max-batch 1), on a synthetic service (bench_serve_setup: random
# ResNet-50 weights at 224 px, a 100k x 512 index, 640 x 480 query photos).
#   bench/serve/run_bench.sh BUILD_DIR [WORK_DIR]
# Environment: REQUESTS_1, REQUESTS_4, REQUESTS_16 (requests per client at
# that concurrency: 40, 30, 12 by default), MODEL (resnet50), ROWS (100000),
# INDEX (exact, or hnsw: an HNSW graph is built and searched, --ef 100),
# MODES ("on off": batching on, then off), THREADS (the server's --threads;
# 0: all cores).
set -euo pipefail
build="${1:?usage: bench/serve/run_bench.sh BUILD_DIR [WORK_DIR]}"
work="${2:-$(mktemp -d)}"
model="${MODEL:-resnet50}"
[ -f "$work/model.safetensors" ] ||
  "$build/bench/serve/bench_serve_setup" "$work" --model "$model" --rows "${ROWS:-100000}" --index "${INDEX:-exact}"

serve_pid=""
stop_server() { if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid"; wait "$serve_pid" || true; serve_pid=""; fi; }
trap stop_server EXIT

for mode in ${MODES:-on off}; do
  batching=(--max-batch 16 --batch-wait-ms 2)
  [ "$mode" = off ] && batching=(--max-batch 1)
  log="$work/serve_$mode.log"
  : > "$log"
  "$build/idml" serve --index "$work/index" --port 0 \
    --threads "${THREADS:-0}" "${batching[@]}" > "$log" 2>&1 &
  serve_pid=$!
  port=""
  for _ in $(seq 600); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && break
    kill -0 "$serve_pid" 2> /dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "idml serve did not start"; cat "$log"; exit 1; }
  echo "batching $mode (${batching[*]}): $(head -1 "$log")"
  "$build/bench/serve/bench_serve_load" --port "$port" --images "$work/queries" --clients 2 --requests 2 > /dev/null  # warm-up
  for clients in 1 4 16; do
    var="REQUESTS_$clients"
    "$build/bench/serve/bench_serve_load" --port "$port" --images "$work/queries" --clients "$clients" \
      --requests "${!var:-$((clients == 1 ? 40 : clients == 4 ? 30 : 12))}"
  done
  stop_server
done
