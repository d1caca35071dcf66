#!/usr/bin/env python3
"""Reads a demo-model GGUF back into a train.py checkpoint (weights
dequantized to float32), so that a committed model can be probed or trained
further with `train.py --resume` without its original checkpoint.

The reader is tools/reference's (written from the GGUF specification,
independent of sluice's C++ parser); the tensor names are export.py's (tensor_names). The
tokenizer must be the one the model was trained with: every token of the
file's vocabulary must have the same id in it.

  from_gguf.py MODEL.gguf TOKENIZER.json OUT.pt
"""
import json
import os
import sys

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "reference"))
from dequant import tensor_array  # noqa: E402
from export import tensor_names  # noqa: E402
from gguf_reader import GgufFile  # noqa: E402
from model import Config  # noqa: E402

def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    g = GgufFile(sys.argv[1])
    m = g.metadata
    if m.get("general.architecture") != "llama":
        sys.exit(f"{sys.argv[1]}: architecture {m.get('general.architecture')!r}, expected 'llama'")
    tok = json.load(open(sys.argv[2]))
    ids = dict(tok["model"]["vocab"])
    ids.update({a["content"]: a["id"] for a in tok.get("added_tokens", [])})
    tokens = m["tokenizer.ggml.tokens"]
    wrong = [t for i, t in enumerate(tokens) if ids.get(t) != i]
    if wrong:
        sys.exit(f"{len(wrong)} tokens have other ids in {sys.argv[2]} (first: {wrong[0]!r})")
    c = Config(n_vocab=len(tokens), n_embd=m["llama.embedding_length"],
               n_layer=m["llama.block_count"], n_head=m["llama.attention.head_count"],
               n_ff=m["llama.feed_forward_length"], rope_base=m["llama.rope.freq_base"],
               rms_eps=m["llama.attention.layer_norm_rms_epsilon"],
               n_rot=m["llama.rope.dimension_count"])
    names = tensor_names(c.n_layer)
    missing = [gname for gname, _ in names if gname not in g.tensors]
    if missing:
        sys.exit(f"{sys.argv[1]}: no tensor {missing[0]}")
    state = {key: torch.tensor(tensor_array(g.tensors[gname]), dtype=torch.float32)
             for gname, key in names}
    torch.save({"config": c.to_dict(), "state_dict": state, "step": 0, "loss": float("nan")},
               sys.argv[3])
    print(f"{sys.argv[1]} -> {sys.argv[3]}: {sum(t.numel() for t in state.values())} weights")


if __name__ == "__main__":
    main()
