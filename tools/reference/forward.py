"""A plain llama / qwen2 forward pass in float64 over dequantized GGUF weights,
written from the architectures' published definitions (LLaMA: Touvron et al.
2023; Qwen2 technical report) and ggml's GGUF conventions, not from sluice:

  x = token_embd[tokens]
  per layer:  h = RMSNorm(x) * attn_norm
              q, k, v = h Wq^T (+bq), h Wk^T (+bk), h Wv^T (+bv)        (qwen2 has biases)
              q, k = RoPE(q), RoPE(k) at absolute positions
                 llama ("normal"): rotates adjacent pairs (2i, 2i+1)
                 qwen2 ("neox"):   rotates pairs (i, i + d/2)
                 angle = pos * base^(-2i/d), i = 0 .. d/2-1
              attention per head, GQA: query head h reads kv head h // (n_head / n_head_kv),
                 softmax(q k^T / sqrt(d) + causal mask) v
              x = x + concat(heads) Wo^T
              h = RMSNorm(x) * ffn_norm
              x = x + W_down (silu(W_gate h) * W_up h)
  logits = (RMSNorm(x) * output_norm) W_out^T, W_out = token_embd when output.weight is absent.
RMSNorm(x) = x / sqrt(mean(x^2) + eps).

kv_f16=True rounds K (after RoPE) and V to IEEE half before attention, the
representation sluice's KV cache stores, so that float64 reference and F32
engine differ only by arithmetic rounding (see tests/engine/golden_test.cpp).
"""

import numpy as np

from dequant import Q4_0, Q4_K, Q6_K, Q8_0, tensor_array

# Activation block size of the integer dot product for each quantized weight type.
ACT_BLOCK = {Q8_0: 32, Q4_0: 32, Q4_K: 256, Q6_K: 256}


class Model:
    def __init__(self, gguf):
        md = gguf.metadata
        self.arch = md["general.architecture"]
        if self.arch not in ("llama", "qwen2"):
            raise ValueError(f"unsupported architecture {self.arch}")
        a = self.arch
        self.n_embd = md[f"{a}.embedding_length"]
        self.n_layer = md[f"{a}.block_count"]
        self.n_head = md[f"{a}.attention.head_count"]
        self.n_head_kv = md.get(f"{a}.attention.head_count_kv", self.n_head)
        self.head_dim = self.n_embd // self.n_head
        self.rope_base = md.get(f"{a}.rope.freq_base", 10000.0)
        self.eps = md[f"{a}.attention.layer_norm_rms_epsilon"]
        self.rope_neox = a == "qwen2"
        t = gguf.tensors
        self.w, self.types = {}, {}   # 2-D weights by tensor name, and their ggml types

        def w(name):
            self.types[name] = t[name].type
            self.w[name] = tensor_array(t[name])
            return self.w[name]
        self.token_embd = w("token_embd.weight")           # (n_vocab, n_embd)
        self.out_name = "output.weight" if "output.weight" in t else "token_embd.weight"
        self.output = w(self.out_name)
        self.output_norm = w("output_norm.weight")
        self.layers = []
        for i in range(self.n_layer):
            p = f"blk.{i}."
            L = {k: p + k + ".weight" for k in
                 ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
                  "ffn_gate", "ffn_up", "ffn_down")}
            for k in ("attn_norm", "ffn_norm"):
                L[k] = w(L[k])
            for k in ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"):
                w(L[k])
            for k in ("attn_q", "attn_k", "attn_v"):
                L[k + ".bias"] = w(p + k + ".bias") if p + k + ".bias" in t else None
            self.layers.append(L)
        self.n_vocab = self.token_embd.shape[0]

    def mm(self, x, name, act_quant):
        """x W^T for weight `name`. act_quant first rounds x the way ggml's
        integer dot products see it when W is quantized: int8 blocks with one
        scale each, d = max|x|/127 (Q8_0: 32 elements for Q8_0/Q4_0 weights;
        Q8_K: 256 elements for K-quant weights)."""
        w = self.w[name]
        block = ACT_BLOCK.get(self.types[name], 0) if act_quant else 0
        if block:
            xb = x.reshape(x.shape[0], -1, block)
            d = np.abs(xb).max(axis=-1, keepdims=True) / 127.0
            q = np.round(np.divide(xb, d, out=np.zeros_like(xb), where=d > 0))
            x = (q * d).reshape(x.shape)
        return x @ w.T

    def rms_norm(self, x, weight):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * weight

    def rope(self, x, positions, neox):
        """x: (n, heads, d) -> rotated copy."""
        d = x.shape[-1]
        i = np.arange(d // 2, dtype=np.float64)
        theta = self.rope_base ** (-2.0 * i / d)                      # (d/2,)
        ang = positions[:, None].astype(np.float64) * theta[None, :]  # (n, d/2)
        cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
        if neox:
            a, b = x[..., : d // 2], x[..., d // 2:]
        else:
            a, b = x[..., 0::2], x[..., 1::2]
        ra, rb = a * cos - b * sin, a * sin + b * cos
        out = np.empty_like(x)
        if neox:
            out[..., : d // 2], out[..., d // 2:] = ra, rb
        else:
            out[..., 0::2], out[..., 1::2] = ra, rb
        return out

    def embed(self, tokens, kv_f16=True, act_quant=False):
        """Mean over positions of the final-normed hidden states (output_norm
        applied), L2-normalized: (n_embd,) float64."""
        _, h = self.forward(tokens, kv_f16=kv_f16, act_quant=act_quant, with_hidden=True)
        v = h.mean(axis=0)
        return v / np.linalg.norm(v)

    def forward(self, tokens, kv_f16=True, rope_neox=None, act_quant=False, with_hidden=False):
        """Logits of every position: (n_tokens, n_vocab) float64, and with
        with_hidden also the final-normed hidden states (n_tokens, n_embd).
        rope_neox overrides the architecture's RoPE kind (sensitivity checks);
        act_quant rounds matmul inputs as integer dot products do (see mm)."""
        mm = lambda x, name: self.mm(x, name, act_quant)
        neox = self.rope_neox if rope_neox is None else rope_neox
        n = len(tokens)
        H, KV, d = self.n_head, self.n_head_kv, self.head_dim
        pos = np.arange(n)
        x = self.token_embd[np.asarray(tokens)]                          # (n, n_embd)
        mask = np.triu(np.full((n, n), -np.inf), k=1)                    # causal
        for L in self.layers:
            h = self.rms_norm(x, L["attn_norm"])
            q = mm(h, L["attn_q"])
            k = mm(h, L["attn_k"])
            v = mm(h, L["attn_v"])
            if L["attn_q.bias"] is not None:
                q, k, v = q + L["attn_q.bias"], k + L["attn_k.bias"], v + L["attn_v.bias"]
            q = self.rope(q.reshape(n, H, d), pos, neox)                 # (n, H, d)
            k = self.rope(k.reshape(n, KV, d), pos, neox)                # (n, KV, d)
            v = v.reshape(n, KV, d)
            if kv_f16:
                k = k.astype(np.float16).astype(np.float64)
                v = v.astype(np.float16).astype(np.float64)
            heads = np.empty((n, H, d))
            group = H // KV
            for hh in range(H):
                kh, vh = k[:, hh // group, :], v[:, hh // group, :]
                s = q[:, hh, :] @ kh.T / np.sqrt(d) + mask               # (n, n)
                s = s - s.max(axis=1, keepdims=True)
                p = np.exp(s)
                p /= p.sum(axis=1, keepdims=True)
                heads[:, hh, :] = p @ vh
            x = x + mm(heads.reshape(n, H * d), L["attn_output"])
            h = self.rms_norm(x, L["ffn_norm"])
            g = mm(h, L["ffn_gate"])
            u = mm(h, L["ffn_up"])
            x = x + mm(g / (1.0 + np.exp(-g)) * u, L["ffn_down"])
        x = self.rms_norm(x, self.output_norm)
        logits = mm(x, self.out_name)
        return (logits, x) if with_hidden else logits
