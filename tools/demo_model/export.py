#!/usr/bin/env python3
"""Dumps a train.py checkpoint as raw float32 weights + a JSON manifest, for
`sluice gguf import MANIFEST OUT.gguf` (the project's own GGUF writer and
tokenizer writer produce the file; Python writes no GGUF).

Tensor names and layout are llama.cpp's `llama` ones: torch Linear weights
[out, in] are written row-major as-is, which is GGUF ne = [in, out]. The token
embedding is tied (no output.weight).

Usage: export.py --ckpt ckpt.pt --tokenizer tokenizer.json --out-dir DIR
Writes DIR/weights.bin, DIR/manifest.json (tokenizer path made relative).
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np
import torch

# ChatML, the template the embedded provider's default matches (Qwen style:
# no BOS, each turn <|im_start|>role\n…<|im_end|>\n).
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


# torch module name -> llama.cpp's tensor name, for each block
LAYER_TENSORS = [("attn_norm", "attn_norm"), ("wq", "attn_q"), ("wk", "attn_k"), ("wv", "attn_v"),
                 ("wo", "attn_output"), ("ffn_norm", "ffn_norm"), ("gate", "ffn_gate"),
                 ("up", "ffn_up"), ("down", "ffn_down")]


def tensor_names(n_layer):
    """[(GGUF tensor name, state_dict key)] in the order the file stores them."""
    names = [("token_embd.weight", "embd.weight")]
    for i in range(n_layer):
        names += [(f"blk.{i}.{theirs}.weight", f"blocks.{i}.{ours}.weight")
                  for ours, theirs in LAYER_TENSORS]
    return names + [("output_norm.weight", "norm.weight")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--name", default="sluice-demo")
    ap.add_argument("--context", type=int, default=640,
                    help="context_length to declare (training saw up to the checkpoint's; "
                         "a little more lets the longest answers finish)")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    ck = torch.load(args.ckpt, map_location="cpu")
    c = ck["config"]
    sd = ck["state_dict"]
    hd = c["n_embd"] // c["n_head"]

    names = tensor_names(c["n_layer"])
    if len(names) != len(sd):
        sys.exit(f"checkpoint has {len(sd)} tensors, expected {len(names)}")

    tensors, offset = [], 0
    with open(os.path.join(args.out_dir, "weights.bin"), "wb") as f:
        for gname, tname in names:
            a = sd[tname].detach().float().numpy().astype("<f4")
            f.write(np.ascontiguousarray(a).tobytes())
            tensors.append({"name": gname, "shape": list(reversed(a.shape)), "offset": offset})
            offset += a.nbytes

    arch = "llama"
    meta = [
        ("general.architecture", "string", arch),
        ("general.name", "string", args.name),
        ("general.description", "string",
         "sluice's bundled demo model: turns a request for a database table into a "
         "DatabaseSchema JSON object. Trained from scratch by tools/demo_model."),
        ("general.license", "string", "Apache-2.0"),
        (f"{arch}.context_length", "u32", max(args.context, c["context_length"])),
        (f"{arch}.embedding_length", "u32", c["n_embd"]),
        (f"{arch}.block_count", "u32", c["n_layer"]),
        (f"{arch}.feed_forward_length", "u32", c["n_ff"]),
        (f"{arch}.attention.head_count", "u32", c["n_head"]),
        (f"{arch}.attention.head_count_kv", "u32", c["n_head"]),
        (f"{arch}.attention.key_length", "u32", hd),
        (f"{arch}.attention.value_length", "u32", hd),
        (f"{arch}.rope.dimension_count", "u32", c.get("n_rot") or hd),
        (f"{arch}.rope.freq_base", "f32", c["rope_base"]),
        (f"{arch}.attention.layer_norm_rms_epsilon", "f32", c["rms_eps"]),
        (f"{arch}.vocab_size", "u32", c["n_vocab"]),
        ("tokenizer.chat_template", "string", CHAT_TEMPLATE),
    ]
    tok_name = "tokenizer.json"
    shutil.copyfile(args.tokenizer, os.path.join(args.out_dir, tok_name))
    manifest = {"weights": "weights.bin", "tokenizer": tok_name,
                "metadata": [{"key": k, "type": t, "value": v} for k, t, v in meta],
                "tensors": tensors}
    with open(os.path.join(args.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"exported {len(tensors)} tensors ({offset} bytes) step {ck.get('step')} "
          f"loss {ck.get('loss')} -> {args.out_dir}")


if __name__ == "__main__":
    main()
