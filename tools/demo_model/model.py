"""The demo model in PyTorch, computed exactly as sluice's GGUF engine computes
the `llama` architecture: token embedding; per block RMSNorm -> attention
(RoPE "normal": rotates adjacent pairs (2i, 2i+1) of each head by
pos * base^(-2i/head_dim)) -> residual, RMSNorm -> SwiGLU FFN
(down(silu(gate(x)) * up(x))) -> residual; final RMSNorm; logits with the tied
token embedding (no output.weight). No biases.

Weights are torch Linear [out, in], which is GGUF's ne = [in, out] written as-is.

forward_prefixed() runs one shared prefix (the constant system message) once
and a batch of suffixes that attend to it: the same math as running each
prefix+suffix sequence on its own, at a fraction of the cost.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    n_vocab: int = 3072
    n_embd: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_ff: int = 704
    context_length: int = 512
    rope_base: float = 10000.0
    rms_eps: float = 1e-5

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim, positions, base):
    """cos, sin of shape [len(positions), head_dim // 2]."""
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    ang = positions.float()[:, None] * inv[None, :]
    return ang.cos(), ang.sin()


def apply_rope(x, cos, sin):
    """x: [B, H, T, D]; rotates pairs (x[2i], x[2i+1])."""
    x0 = x[..., 0::2]
    x1 = x[..., 1::2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.stack((r0, r1), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n_head = c.n_head
        self.head_dim = c.n_embd // c.n_head
        self.attn_norm = RMSNorm(c.n_embd, c.rms_eps)
        self.wq = nn.Linear(c.n_embd, c.n_embd, bias=False)
        self.wk = nn.Linear(c.n_embd, c.n_embd, bias=False)
        self.wv = nn.Linear(c.n_embd, c.n_embd, bias=False)
        self.wo = nn.Linear(c.n_embd, c.n_embd, bias=False)
        self.ffn_norm = RMSNorm(c.n_embd, c.rms_eps)
        self.gate = nn.Linear(c.n_embd, c.n_ff, bias=False)
        self.up = nn.Linear(c.n_embd, c.n_ff, bias=False)
        self.down = nn.Linear(c.n_ff, c.n_embd, bias=False)

    def qkv(self, x, cos, sin):
        B, T, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        k = self.wk(h).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        v = self.wv(h).view(B, T, self.n_head, self.head_dim).transpose(1, 2)
        return apply_rope(q, cos, sin), apply_rope(k, cos, sin), v

    def finish(self, x, q, k, v, mask):
        # q: [B,H,T,D]; k,v: [B,H,S,D]; mask: [T,S] additive
        B, _, T, _ = q.shape
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim)) + mask
        y = att.softmax(-1) @ v
        y = y.transpose(1, 2).reshape(B, T, -1)
        x = x + self.wo(y)
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embd = nn.Embedding(c.n_vocab, c.n_embd)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_layer))
        self.norm = RMSNorm(c.n_embd, c.rms_eps)
        self.apply(self._init)
        for b in self.blocks:
            nn.init.normal_(b.wo.weight, std=0.02 / math.sqrt(2 * c.n_layer))
            nn.init.normal_(b.down.weight, std=0.02 / math.sqrt(2 * c.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def logits(self, h):
        return self.norm(h) @ self.embd.weight.t()

    def forward(self, ids):
        """ids: [B, T] -> logits [B, T, V] (plain causal LM)."""
        return self.logits(self.hidden(ids))

    def hidden(self, ids):
        """ids: [B, T] -> final hidden states [B, T, d] (before the output norm)."""
        B, T = ids.shape
        hd = self.c.n_embd // self.c.n_head
        cos, sin = rope_tables(hd, torch.arange(T), self.c.rope_base)
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = self.embd(ids)
        for b in self.blocks:
            q, k, v = b.qkv(x, cos, sin)
            x = b.finish(x, q, k, v, mask)
        return x

    def forward_prefixed(self, prefix, suffix):
        """prefix: [Lp] ids shared by all rows; suffix: [B, Ls] ids at positions
        Lp..Lp+Ls-1. Returns the suffix's final hidden states [B, Ls, d]."""
        Lp = prefix.shape[0]
        B, Ls = suffix.shape
        hd = self.c.n_embd // self.c.n_head
        cos_p, sin_p = rope_tables(hd, torch.arange(Lp), self.c.rope_base)
        cos_s, sin_s = rope_tables(hd, torch.arange(Lp, Lp + Ls), self.c.rope_base)
        mask_p = torch.full((Lp, Lp), float("-inf")).triu(1)
        mask_s = torch.cat([torch.zeros(Ls, Lp), torch.full((Ls, Ls), float("-inf")).triu(1)], 1)
        xp = self.embd(prefix)[None]
        xs = self.embd(suffix)
        last = len(self.blocks) - 1
        for i, b in enumerate(self.blocks):
            qp, kp, vp = b.qkv(xp, cos_p, sin_p)
            qs, ks, vs = b.qkv(xs, cos_s, sin_s)
            k = torch.cat([kp.expand(B, -1, -1, -1), ks], 2)
            v = torch.cat([vp.expand(B, -1, -1, -1), vs], 2)
            if i != last:  # the prefix's last-layer output feeds nothing
                xp = b.finish(xp, qp, kp, vp, mask_p)
            xs = b.finish(xs, qs, k, v, mask_s)
        return xs

    @torch.no_grad()
    def greedy(self, ids, max_new, stop_id):
        """Plain greedy decoding (no cache; for evaluation of small batches)."""
        out = list(ids)
        for _ in range(max_new):
            x = torch.tensor([out[-self.c.context_length:]])
            nxt = int(self(x)[0, -1].argmax())
            if nxt == stop_id:
                break
            out.append(nxt)
        return out[len(ids):]
