"""The demo model in PyTorch, computed exactly as sluice's GGUF engine computes
the `llama` architecture: token embedding; per block RMSNorm -> attention
(RoPE "normal": rotates adjacent pairs (2i, 2i+1) of the first n_rot dims of
each head by pos * base^(-2i/n_rot), the rest unrotated) -> residual, RMSNorm -> SwiGLU FFN
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


# peak-at-offset weights for the 8 rotated pairs (n_rot = 16), from a search:
# sum_j a_j cos(k θ_j) is 1 at k = 0 and at most 0.79 for every other k in [-520, 1]
A_OFF = [0.437, 0.222, 0.137, 0.052, 0.153, 0.0, 0.0, 0.0]

def install_copy_circuit(m, seed=1, s_off=50.0, s_ind=20.0, gain=3.0, groups=None, flags=None,
                         space=None):
    """Sets a fresh model's weights so that it copies from the start: an
    induction circuit written by hand, as training on the chats alone did
    not find one in the budget (a 1.2M model after 8M tokens still could not
    copy a name it had not seen, and a 2-layer toy on pure copying found no
    induction head in 700 steps either).

    Residual dims: T = 0..31 the token's identity (unit random vectors in
    the embedding, which the tied output layer reads back), P = 32..63 and
    PP = 64..95 the identities of the previous and the one-before tokens,
    C = 96 a constant (every embedding has 1 there) for attention by position
    alone. Layer 0: head 0 attends one position back (RoPE pairs weighted by
    A_OFF, keys pre-rotated by one step), head 1 two back; they write T of
    what they see into P and PP. Layer 1 head 0 (an induction head) matches
    its (T, P) against every earlier (P, PP) in its 48 unrotated dims, i.e.
    finds where the last two tokens occurred before, and adds `gain` times
    the identity of the token that followed there to T: the logits then
    favour continuing the copy. Everything else keeps its random init and
    training shapes the rest (and may reshape this). Needs n_embd 128,
    2+ heads of 64 dims, n_rot 16.

    groups (one int per token id, optional) gives tokens that should copy as
    each other one identity code: "GUEST" and "guest", the space and "_". The
    output layer then favours every member of the group, and the rest of the
    model picks among them. flags (one 0/1 per token id, optional) marks the
    members to tell apart (upper-case pieces) in dim 97, one direction the
    model can learn to push down inside a JSON name.

    space (the space token's id, optional) marks that token in dim 98, and
    the induction head carries the mark of the token it copies into dim 99
    (zero in every embedding): as the space and "_" share one identity, the
    copy alone cannot tell a name that goes on (`user_accounts`) from one that
    ends at the prompt's next space (`wishlists schema`); dim 99 can."""
    c = m.c
    d, H = c.n_embd, c.n_head
    hd = d // H
    nr = c.n_rot
    assert d == 128 and H >= 2 and nr == 16 and hd == 64 and c.n_layer >= 2
    g = torch.Generator().manual_seed(seed)
    T, P, PP, C = slice(0, 32), slice(32, 64), slice(64, 96), 96
    SPACE, NEXT_SPACE = 98, 99
    with torch.no_grad():
        E = m.embd.weight
        t = torch.randn(E.shape[0], 32, generator=g)
        t = t / t.norm(dim=1, keepdim=True)
        if groups is not None:
            t = t[torch.tensor(groups, dtype=torch.long)]
        E[:, T] = t
        if flags is not None:
            E[:, 97] = torch.tensor(flags, dtype=torch.float32)
        E[:, P] = 0; E[:, PP] = 0
        E[:, C] = 1.0
        if space is not None:
            E[:, SPACE] = 0; E[:, NEXT_SPACE] = 0
            E[space, SPACE] = 1.0
        th = c.rope_base ** (-torch.arange(0, nr, 2).float() / nr)
        # layer 0: head 0 copies the previous token's identity into P, head 1 the one before into PP
        b = m.blocks[0]
        n0 = 1.0 / math.sqrt(2.0 / d)  # norm(x) scale of an embedding: |T|=1, C=1
        for h, off, dst in ((0, 1, P), (1, 2, PP)):
            r = h * hd
            for w in (b.wq, b.wk, b.wv):
                w.weight[r:r + hd] = 0
            b.wo.weight[:, r:r + hd] = 0
            amp = torch.sqrt(torch.tensor(A_OFF) * s_off * math.sqrt(hd))  # score = sum amp^2 cos / sqrt(hd)
            for j in range(nr // 2):
                b.wq.weight[r + 2 * j, C] = amp[j] / n0
                b.wk.weight[r + 2 * j, C] = amp[j] * math.cos(off * th[j]) / n0
                b.wk.weight[r + 2 * j + 1, C] = amp[j] * math.sin(off * th[j]) / n0
            for i in range(32):
                b.wv.weight[r + i, i] = 1.0 / n0
                b.wo.weight[dst.start + i, r + i] = 1.0
        # layer 1 head 0: attends where (prev, prev-prev) == (current, prev) and copies that token into T
        b = m.blocks[1]
        n1 = 1.0 / math.sqrt(4.0 / d)
        r = 0
        for w in (b.wq, b.wk, b.wv):
            w.weight[r:r + hd] = 0
        b.wo.weight[:, r:r + hd] = 0
        A = torch.linalg.qr(torch.randn(32, 24, generator=g))[0].t()  # 24 orthonormal rows
        amp = math.sqrt(s_ind * math.sqrt(hd) / (24 / 32))
        q0, q1 = r + nr, r + nr + 24
        b.wq.weight[q0:q0 + 24, T] = A * amp / n1
        b.wq.weight[q1:q1 + 24, P] = A * amp / n1
        b.wk.weight[q0:q0 + 24, P] = A * amp / n1
        b.wk.weight[q1:q1 + 24, PP] = A * amp / n1
        for i in range(32):
            b.wv.weight[r + i, i] = 1.0 / n1
            b.wo.weight[i, r + i] = gain
        if space is not None:
            b.wv.weight[r + 32, SPACE] = 1.0 / n1
            b.wo.weight[NEXT_SPACE, r + 32] = gain


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
    n_rot: int = 0  # leading dims of each head that RoPE rotates (0: all of them)

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
    """x: [B, H, T, D]; rotates pairs (x[2i], x[2i+1]) for i < cos.shape[-1];
    the dims after 2 * cos.shape[-1] are left as they are."""
    n = 2 * cos.shape[-1]
    x0 = x[..., 0:n:2]
    x1 = x[..., 1:n:2]
    r0 = x0 * cos - x1 * sin
    r1 = x0 * sin + x1 * cos
    return torch.cat((torch.stack((r0, r1), dim=-1).flatten(-2), x[..., n:]), -1)


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
        hd = self.c.n_rot or self.c.n_embd // self.c.n_head
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
        hd = self.c.n_rot or self.c.n_embd // self.c.n_head
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
