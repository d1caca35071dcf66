#!/usr/bin/env bash
# Rebuilds models/sluice-demo.gguf from nothing but this repository:
#   data (make_data.py) -> tokenizer (sluice tokenizer train) -> training
#   (train.py, PyTorch on the CPU) -> export (export.py + sluice gguf import)
#   -> Q8_0 (sluice quantize) -> held-out eval through the gateway (eval.py).
#
#   tools/demo_model/reproduce.sh [MINUTES]     (default 60: the training run)
#
# Environment: BUILD (default build/demo-model), PYTHON (default /usr/bin/python3,
# which needs torch + numpy: scripts/install-torch.sh), THREADS (torch threads, default 1:
# see train.py --threads),
# OUT (default models/sluice-demo.gguf), SKIP_EVAL=1 to stop after writing the model.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-60}"
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
"$PYTHON" "$HERE/make_data.py" --out "$DATA" --seed 1 --nonsense 0.35 --composed 0.6 --remix 0.3 --an 0.3 --filler 0.4 --compound 0.04 --verb-frames 0.15
"$SLUICE" tokenizer train --vocab-size 4096 --out "$DATA/tokenizer_raw.json" \
  --special '<|endoftext|>' --special '<|im_start|>' --special '<|im_end|>' "$DATA/corpus.txt"
# words spelled alike in the prompt and in the JSON (see split_words.py)
"$PYTHON" "$HERE/split_words.py" "$DATA/tokenizer_raw.json" "$DATA/tokenizer_split.json"
# capitals and CamelCase split like lower case (see mirror_case.py)
"$PYTHON" "$HERE/mirror_case.py" "$DATA/tokenizer_split.json" "$DATA/tokenizer.json"

# 3. training, as the committed model had it (see models/README.md): one
#    run of MINUTES from a hand-written induction circuit (model.install_copy_circuit,
#    carrying a flag for a copied space) with partial RoPE (16 of 64 dims
#    rotated), mixing full chats (half of them without the system message),
#    answers cut after the copied names, synthetic copying batches and (15% of
#    steps) synthetic lists copied into column JSON (train.list_batch); the
#    token that closes a name weighs as much as the name. Warmup + cosine
#    over the wall-clock budget.
TRAIN=("$PYTHON" "$HERE/train.py" --data "$DATA" --tokenizer "$DATA/tokenizer.json"
  --tokenize-bin "$BUILD/src/tokenizer/tokenize_batch" --log "$BUILD/train.log" --threads "$THREADS"
  --short 0.35 --short-batch 48 --batch 10 --no-system 0.5 --value-weight 3 --close-weight 3
  --list 0.15 --ckpt-minutes 4 --camel)
nice -n 5 "${TRAIN[@]}" --out "$BUILD/ckpt.pt" --n-embd 128 --n-head 2 --n-ff 384 --n-layer 4 \
  --n-rot 16 --copy-circuit --space-flag --copy 0.15 --minutes "$MINUTES" --lr 2e-3 --warmup 50

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
  # eval.py starts the server itself (and restarts it should it die)
  "$PYTHON" "$HERE/eval.py" --serve "$SLUICE serve --config $BUILD/demo.toml" --port "$PORT" \
    --json "$BUILD/eval.json"
fi
