#!/usr/bin/env bash
# Rebuilds models/sluice-demo.gguf from nothing but this repository:
#   data (make_data.py) -> tokenizer (sluice tokenizer train) -> training
#   (train.py, PyTorch on the CPU) -> export (export.py + sluice gguf import)
#   -> Q8_0 (sluice quantize) -> held-out eval through the gateway (eval.py).
#
#   tools/demo_model/reproduce.sh [MINUTES]     (default 36: the training budget)
#
# Environment: BUILD (default build/demo-model), PYTHON (default /usr/bin/python3,
# which needs torch + numpy: scripts/install-torch.sh), THREADS (torch threads, default 1),
# OUT (default models/sluice-demo.gguf), SKIP_EVAL=1 to stop after writing the model.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-36}"
BUILD="${BUILD:-build/demo-model}"
PYTHON="${PYTHON:-/usr/bin/python3}"
THREADS="${THREADS:-1}"
OUT="${OUT:-models/sluice-demo.gguf}"
HERE=tools/demo_model
DATA="$BUILD/data"

"$PYTHON" -c "import torch, numpy" || { echo "needs torch + numpy: scripts/install-torch.sh" >&2; exit 1; }
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$BUILD" sluice tokenize_batch
SLUICE="$BUILD/src/cli/sluice"

# 1. data (deterministic: seed 1) and 2. tokenizer
"$PYTHON" "$HERE/make_data.py" --out "$DATA" --seed 1 --nonsense 0.35
"$SLUICE" tokenizer train --vocab-size 4096 --out "$DATA/tokenizer_raw.json" \
  --special '<|endoftext|>' --special '<|im_start|>' --special '<|im_end|>' "$DATA/corpus.txt"
# words spelled alike in the prompt and in the JSON (see split_words.py)
"$PYTHON" "$HERE/split_words.py" "$DATA/tokenizer_raw.json" "$DATA/tokenizer.json"

# 3. training (wall-clock budget; the final checkpoint is annealed)
nice -n 5 "$PYTHON" "$HERE/train.py" --data "$DATA" --tokenizer "$DATA/tokenizer.json" \
  --tokenize-bin "$BUILD/src/tokenizer/tokenize_batch" --out "$BUILD/ckpt.pt" \
  --log "$BUILD/train.log" --minutes "$MINUTES" --threads "$THREADS" \
  --batch 10 --lr 4e-3 --warmup 60 --n-embd 128 --n-head 2 --n-ff 384 --n-layer 4

# 4. export with the project's GGUF writer, then 5. Q8_0
"$PYTHON" "$HERE/export.py" --ckpt "$BUILD/ckpt.pt" --tokenizer "$DATA/tokenizer.json" \
  --out-dir "$BUILD/export"
"$SLUICE" gguf import "$BUILD/export/manifest.json" "$BUILD/sluice-demo-f32.gguf"
"$SLUICE" quantize "$BUILD/sluice-demo-f32.gguf" "$OUT" --type q8_0
ls -l "$OUT"

# 6. held-out evaluation through the gateway's /generate/structured
if [[ "${SKIP_EVAL:-0}" != 1 ]]; then
  PORT="${PORT:-18431}"
  cat >"$BUILD/demo.toml" <<EOF
[server]
default_model = "sluice-demo"
[providers.demo]
kind = "embedded"
model = "$OUT"
EOF
  "$SLUICE" serve --config "$BUILD/demo.toml" --listen "127.0.0.1:$PORT" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  "$PYTHON" "$HERE/eval.py" --url "http://127.0.0.1:$PORT" --json "$BUILD/eval.json"
fi
