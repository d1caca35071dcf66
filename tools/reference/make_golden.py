#!/usr/bin/python3
"""Generates tests/engine/golden/: small random models written by
`sluice model random` and the reference logits of every position of a fixed
token sequence, computed by forward.py (float64, own GGUF parser and
dequantizers). Usage:

  /usr/bin/python3 tools/reference/make_golden.py --sluice build/X/src/cli/sluice \
      --out tests/engine/golden

Each case NAME gives NAME.gguf and NAME.golden. A .golden file is one line of
JSON (the header: model file, arch, weight type, tokens, n_vocab, how the
reference was computed, "arrays") followed by the little-endian float32
arrays it names. Logits, n_tokens * n_vocab, row-major [position][vocab]:
"reference" (exact weights, float64 arithmetic, K/V rounded to F16) and, for
quantized weights, "reference_int8_activations" (the same with every matmul
input rounded to int8 blocks as ggml-style integer dot products do); then
"embedding" (and for quantized weights "embedding_int8_activations"): n_embd
floats, the mean of the final-normed hidden states, L2-normalized (Model::Embed).

Before writing, the script checks that the golden files can catch the bugs
they are for: swapping the RoPE kind (normal <-> neox) must move the logits
by far more than the F32 tolerance (1e-4 of max |logit|).
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dequant import NAMES  # noqa: E402
from forward import Model  # noqa: E402
from gguf_reader import GgufFile  # noqa: E402

# 12 ids valid in a 300-token vocabulary: <|endoftext|> (297), bytes, merges.
TOKENS = [297, 72, 101, 290, 108, 111, 32, 119, 270, 114, 108, 3]
# 48 ids for the long cases (positions past the first cache/attention tiles).
LONG_TOKENS = [297] + [(i * 37 + 11) % 297 for i in range(47)]

# name: (arch, type, embd, layers, heads, kv_heads, ff, tied); names ending in
# "_long" run LONG_TOKENS, the others TOKENS.
SMALL = dict(vocab=300, context=256, scale=0.05)
CASES = {
    "llama_f32":   ("llama", "f32",  64, 2, 4, 2, 128, False),   # head_dim 16, GQA 2
    "qwen2_f32":   ("qwen2", "f32",  64, 2, 2, 1, 128, True),    # head_dim 32, MQA, tied
    "llama_f16":   ("llama", "f16",  64, 2, 4, 4, 128, True),    # MHA, tied
    "qwen2_f16":   ("qwen2", "f16",  64, 2, 4, 2, 128, False),
    "llama_bf16":  ("llama", "bf16", 64, 2, 2, 2, 128, False),   # head_dim 32
    "qwen2_bf16":  ("qwen2", "bf16", 64, 2, 4, 1, 128, True),
    "llama_q8_0":  ("llama", "q8_0", 64, 2, 2, 1, 128, False),
    "qwen2_q8_0":  ("qwen2", "q8_0", 64, 2, 4, 2, 128, True),
    "llama_q4_0":  ("llama", "q4_0", 64, 2, 4, 1, 128, True),
    "qwen2_q4_0":  ("qwen2", "q4_0", 64, 2, 2, 2, 128, False),
    # K-quants need rows that are whole 256-element super-blocks.
    "llama_q4_k":  ("llama", "q4_k", 256, 1, 8, 2, 256, False),  # head_dim 32
    "qwen2_q6_k":  ("qwen2", "q6_k", 256, 1, 16, 4, 256, True),  # head_dim 16
    "llama_f32_long": ("llama", "f32", 64, 1, 2, 1, 64, True),   # 48 positions
    "qwen2_q8_0_long": ("qwen2", "q8_0", 64, 1, 4, 2, 64, False),
}


def make_model(sluice, path, case, seed):
    arch, wtype, embd, layers, heads, kv, ff, tied = case
    cmd = [sluice, "model", "random", path, "--arch", arch, "--type", wtype,
           "--vocab", str(SMALL["vocab"]), "--embd", str(embd), "--layers", str(layers),
           "--heads", str(heads), "--kv-heads", str(kv), "--ff", str(ff),
           "--context", str(SMALL["context"]), "--seed", str(seed),
           "--scale", str(SMALL["scale"])]
    if arch == "qwen2":
        cmd += ["--rope-base", "1000000", "--eps", "1e-6"]
    if tied:
        cmd.append("--tied")
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sluice", required=True, help="the sluice binary")
    ap.add_argument("--out", required=True, help="output folder (tests/engine/golden)")
    ap.add_argument("--only", nargs="*", help="case names to (re)generate")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for seed, (name, case) in enumerate(CASES.items(), start=1):
        if args.only and name not in args.only:
            continue
        model_path = os.path.join(args.out, name + ".gguf")
        make_model(args.sluice, model_path, case, seed)
        gguf = GgufFile(model_path)
        model = Model(gguf)
        tokens = LONG_TOKENS if name.endswith("_long") else TOKENS
        logits = model.forward(tokens, kv_f16=True)
        max_abs = float(np.abs(logits).max())
        swapped = model.forward(tokens, kv_f16=True, rope_neox=not model.rope_neox)
        rope_rel = float(np.abs(swapped - logits).max()) / max_abs
        no_f16 = model.forward(tokens, kv_f16=False)
        f16_rel = float(np.abs(no_f16 - logits).max()) / max_abs
        if rope_rel < 1e-2:
            sys.exit(f"{name}: a RoPE-kind bug moves logits by only {rope_rel:.2e} of max |logit|")
        act_rel, act_logits = None, None
        if case[1] not in ("f32", "f16", "bf16"):
            act_logits = model.forward(tokens, kv_f16=True, act_quant=True)
            act_rel = float(np.abs(act_logits - logits).max()) / max_abs
        embedding = model.embed(tokens, kv_f16=True)
        act_embedding = model.embed(tokens, kv_f16=True, act_quant=True) if act_rel else None
        sorted_rows = np.sort(logits, axis=1)
        min_gap = float((sorted_rows[:, -1] - sorted_rows[:, -2]).min())
        types = sorted({NAMES[t.type] for t in gguf.tensors.values()})
        header = {
            "format": "sluice-golden-1",
            "model": name + ".gguf",
            "arch": model.arch,
            "weight_type": case[1],
            "tensor_types": types,
            "n_vocab": model.n_vocab,
            "n_embd": model.n_embd,
            "n_tokens": len(tokens),
            "tokens": tokens,
            "kv_f16": True,
            "max_abs_logit": max_abs,
            "min_top2_gap": min_gap,
            "rope_swap_rel_change": rope_rel,
            "kv_f16_rel_change": f16_rel,
            "int8_activations_rel_change": act_rel,
            # The float32 arrays after this line: logits [n_tokens][n_vocab], embeddings [n_embd].
            "arrays": ["reference"] + (["reference_int8_activations"] if act_rel else [])
                      + ["embedding"] + (["embedding_int8_activations"] if act_rel else []),
        }
        with open(os.path.join(args.out, name + ".golden"), "wb") as f:
            f.write(json.dumps(header, separators=(",", ":")).encode() + b"\n")
            f.write(logits.astype("<f4").tobytes())
            if act_logits is not None:
                f.write(act_logits.astype("<f4").tobytes())
            f.write(embedding.astype("<f4").tobytes())
            if act_embedding is not None:
                f.write(act_embedding.astype("<f4").tobytes())
        print(f"{name:12s} types={','.join(types):12s} max|logit|={max_abs:.3f} "
              f"min top2 gap={min_gap:.4f} rope-swap change={rope_rel:.3f} "
              f"kv-f16 change={f16_rel:.1e} int8-act change={act_rel} size={os.path.getsize(model_path) // 1024} KiB")


if __name__ == "__main__":
    main()
