#!/bin/sh
# Engine speed at Qwen2.5-0.5B's shape with random weights (no download):
# writes the model at Q8_0 and Q4_0 under /tmp (not committed) and runs
# `sluice bench` on each, as llama.cpp's llama-bench -p 128 -n 64 -t 2 would.
#   bench/engine/run.sh [THREADS]        (default 2)
# SLUICE_BIN picks the binary (default: build/release/src/cli/sluice, built
# with the release preset when missing). Models are kept in /tmp between runs.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-2}
sluice=${SLUICE_BIN:-$root/build/release/src/cli/sluice}
if [ -z "${SLUICE_BIN:-}" ] && [ ! -x "$sluice" ]; then
  (cd "$root" && cmake --preset release && cmake --build build/release --target sluice -j2)
fi
shape="--arch qwen2 --vocab 151936 --embd 896 --layers 24 --heads 14 --kv-heads 2 --ff 4864
       --context 32768 --tied --rope-base 1000000 --eps 1e-6"
for type in q8_0 q4_0; do
  model=/tmp/sluice-bench-qwen2.5-0.5b-$type.gguf
  [ -f "$model" ] || "$sluice" model random "$model" $shape --type "$type"
  echo "== $type"
  "$sluice" bench --model "$model" --prompt-tokens 128 --gen-tokens 64 --threads "$threads"
done
