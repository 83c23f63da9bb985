#!/usr/bin/env bash
# Bad input to the idml CLI: each case must exit non-zero with a message that
# names the flag or file and says what was expected. Usage: cli_errors.sh IDML
set -u
idml="$1"
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # $work, check, finish
printf 'this is not a checkpoint' > "$work/junk.safetensors"
head -c 1000 /dev/urandom > "$work/random.pth"

expect_error() {  # expect_error REGEX ARGS...
  local regex="$1"; shift
  local output status
  output=$("$idml" "$@" 2>&1); status=$?
  if [ "$status" -ne 0 ] && grep -Eq -- "$regex" <<<"$output"; then pass; else
    fail "idml $* (exit $status), expected /$regex/, got:"; echo "$output" | tail -5
  fi
}

expect_error 'bogus'                                   train --bogus
expect_error '--lr must be positive'                train --dataset fashion-mnist --lr -1
expect_error '--lr'                                 train --lr abc
expect_error '--optimizer: expected'                train --dataset fashion-mnist --optimizer lion
expect_error '--IPC \(7\) must divide'              train --dataset fashion-mnist --IPC 7 --batch-size 20
expect_error "--loss: expected Proxy_Anchor, Proxy_NCA, MS, Contrastive, Triplet or NPair, got 'ArcFace'" \
  train --dataset fashion-mnist --loss ArcFace
expect_error '--loss MS needs --IPC N with N >= 2'   train --dataset fashion-mnist --loss MS
expect_error '--loss Triplet needs --IPC N with N >= 2' train --dataset fashion-mnist --loss Triplet --IPC 1 --batch-size 20
expect_error '--loss NPair needs --IPC 2 .*got --IPC 4' train --dataset fashion-mnist --loss NPair --IPC 4 --batch-size 20
expect_error '--proxy-lr-scale must not be negative' train --dataset fashion-mnist --loss Proxy_NCA --proxy-lr-scale -1
expect_error "--dataset: expected cub, cars, SOP, Inshop, folder or fashion-mnist, got 'imagenet'" train --dataset imagenet
expect_error 'resnet7|unknown'                         train --dataset fashion-mnist --model resnet7
expect_error '/nonexistent'                            train --dataset cub --data-root /nonexistent --pretrained none
expect_error '/nonexistent/run_last.safetensors'       train --resume /nonexistent/run_last.safetensors
expect_error '/nonexistent.safetensors'                eval --checkpoint /nonexistent.safetensors --dataset fashion-mnist
expect_error "$work/junk.safetensors"                  eval --checkpoint "$work/junk.safetensors" --dataset fashion-mnist
expect_error "$work/random.pth"                        eval --checkpoint "$work/random.pth" --dataset fashion-mnist
expect_error 'checkpoint'                              eval --dataset fashion-mnist
expect_error '--images'                             embed --pretrained "$work/junk.safetensors" --images /nonexistent --out "$work/x"
expect_error 'checkpoint.*pretrained'                                 embed --images "$work" --out "$work/x"
expect_error '--batch-size'                         bench --batch-size 1
expect_error '--clustering: expected'              train --dataset fashion-mnist --clustering maybe

# Issue 13 item 9: non-finite values, sizes that only fail as bad_alloc, flags
# not named, an unwritable --out found late, a decompression-bomb limit of 0.
expect_error '--lr must be a finite number'          train --dataset fashion-mnist --lr inf
expect_error '--mrg must be a finite number'         train --dataset fashion-mnist --mrg nan
expect_error '--resize-size must be at most 2048'    train --dataset fashion-mnist --image-size 100000 --resize-size 100000
expect_error '--batch-size'                          eval --checkpoint "$work/junk.safetensors" --dataset fashion-mnist --batch-size 0
expect_error '--image-size'                          eval --checkpoint "$work/junk.safetensors" --dataset fashion-mnist --image-size 100000
expect_error "--out $work/junk.safetensors/x: cannot create the folder $work/junk.safetensors" embed --images "$work" --pretrained "$work/junk.safetensors" --out "$work/junk.safetensors/x"
expect_error '--max-image-pixels must be positive'   data --max-image-pixels 0

# Issue 14: the enum flags are parsed by one transformer, and the device pair
# by one helper, in every command: the message names the flag and lists the values.
expect_error "--optimizer: expected adamw, adam, sgd or rmsprop, got 'lion'" train --dataset fashion-mnist --optimizer lion
expect_error "--metric: expected ism or cosine, got 'euclid'"               train --dataset fashion-mnist --metric euclid
expect_error "--clustering: expected auto, on or off, got 'maybe'"          eval --checkpoint "$work/junk.safetensors" --dataset fashion-mnist --clustering maybe
expect_error "--dataset: expected cub, cars, SOP, Inshop, folder or fashion-mnist, got 'imagenet'" eval --checkpoint "$work/junk.safetensors" --dataset imagenet
for command in train eval embed search bench metrics report; do
  expect_error "--device: expected cpu or cuda, got 'tpu'" $command --device tpu
done

# Issue 10: --precision of the inference commands names its values; training
# has no such flag (it is always float32).
for command in eval embed bench search; do
  expect_error "--precision: expected fp32 or bf16, got 'fp16'" $command --precision fp16
done
expect_error 'not expected: bf16 --precision'        train --dataset fashion-mnist --precision bf16
# The CPU convolution's environment switches name their values.
IDML_CPU_CONV=fast expect_error "IDML_CPU_CONV: expected onednn or im2col, got 'fast'" \
  bench --model resnet18 --batch-size 2 --image-size 32 --steps 1
IDML_CPU_CONV_LAYOUT=nhwc expect_error "IDML_CPU_CONV_LAYOUT: expected blocked or plain, got 'nhwc'" \
  bench --model resnet18 --batch-size 2 --image-size 32 --steps 1

# Issue 13, the "unexpected error" audit: thread counts that aborted (std::terminate
# with --workers 100000) or crashed (SIGSEGV with --threads 100000), sizes that
# reached the allocator before a flag was named, search flags without bounds.
expect_error '--workers must be in 0..256'           train --dataset fashion-mnist --workers 100000 --epochs 1 --log-dir "$work/logs"
expect_error '--threads must be at most 1024'        train --dataset fashion-mnist --threads 100000
expect_error '--embedding-size must be at most 65536' train --dataset fashion-mnist --sz-embedding 2000000000
expect_error '--threads must be in 0..1024'          classify train --dataset cifar10 --threads 100000
expect_error '--alpha must be in \(0, 4096\]'        classify train --dataset cifar10 --alpha 100000000
expect_error '--image-size'                          search --checkpoint "$work/junk.safetensors" --index "$work/x" --query "$work" --image-size 100000
expect_error '--batch-size'                          search --checkpoint "$work/junk.safetensors" --index "$work/x" --query "$work" --batch-size 0

# Issue 27: the HNSW flags.
expect_error '--index: ivf not in \{exact,hnsw\}'    embed --images "$work" --pretrained "$work/junk.safetensors" --out "$work/x" --index ivf
expect_error '--hnsw-m: Value 1 not in range 2 to 10000' embed --images "$work" --pretrained "$work/junk.safetensors" --out "$work/x" --hnsw-m 1
expect_error '--method: fast not in \{auto,exact,hnsw\}' search --index "$work/x" --query "$work" --method fast
expect_error '--ef: Value 0 not in range'            search --index "$work/x" --query "$work" --ef 0

# Without a GPU (issue 24): the runtime's or the loader's reason, never a generic line; `idml doctor`
# exits non-zero with that reason last. Skipped where nvidia-smi lists a GPU.
if ! { command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU '; }; then
  expect_error '--device cuda: no CUDA device is available \((cudaGetDeviceCount: |.* not found in:|this idml was built without the CUDA backend|cannot load the plug-in)' \
    train --dataset fashion-mnist --device cuda --epochs 1 --log-dir "$work/logs"
  expect_error '^result: no usable GPU: .+' doctor
  check "idml doctor prints the build first" bash -c "'$idml' doctor | grep -q '^build: backends cpu'"
fi

finish "cli errors"
