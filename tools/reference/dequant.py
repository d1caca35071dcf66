"""Dequantizers for the ggml tensor types sluice supports, written from the
block layouts in ggml's ggml-common.h (struct definitions) and the format's
documented reconstruction formulas. Each returns float64 values in ggml
element order (ne[0] fastest).

  F32  (0):  4-byte IEEE float.
  F16  (1):  2-byte IEEE half.
  BF16 (30): the upper 16 bits of an IEEE float.
  Q8_0 (8):  32 elements: half d, int8 q[32];          x = d*q
  Q4_0 (2):  32 elements: half d, u8 qs[16];           x[j] = d*((qs[j]&15)-8), x[j+16] = d*((qs[j]>>4)-8)
  Q4_K (12): 256 elements: half d, half dmin, u8 scales[12], u8 qs[128].
             8 sub-blocks of 32 with 6-bit scale sc and min m (packed, see _q4k_scale_min);
             x = d*sc*q - dmin*m, q the 4-bit value; sub-blocks 2i and 2i+1 share
             qs[32i .. 32i+31], low nibbles for 2i, high nibbles for 2i+1.
  Q6_K (14): 256 elements: u8 ql[128], u8 qh[64], int8 scales[16], half d.
             x = d*scale[k]*(q-32), q = 4 low bits from ql | 2 high bits from qh.
"""

import numpy as np

F32, F16, Q4_0, Q8_0, Q4_K, Q6_K, BF16 = 0, 1, 2, 8, 12, 14, 30
NAMES = {F32: "F32", F16: "F16", Q4_0: "Q4_0", Q8_0: "Q8_0", Q4_K: "Q4_K", Q6_K: "Q6_K",
         BF16: "BF16"}
# type -> (elements per block, bytes per block)
BLOCKS = {F32: (1, 4), F16: (1, 2), BF16: (1, 2), Q8_0: (32, 34), Q4_0: (32, 18),
          Q4_K: (256, 144), Q6_K: (256, 210)}


def tensor_nbytes(ggml_type, ne):
    if ggml_type not in BLOCKS:
        raise ValueError(f"unsupported ggml type {ggml_type}")
    block, size = BLOCKS[ggml_type]
    n = 1
    for d in ne:
        n *= d
    if ne[0] % block:
        raise ValueError(f"ne[0]={ne[0]} is not a multiple of the block size {block}")
    return n // block * size


def _half(raw):
    """raw: uint8 array with 2-byte halves in its last axis -> float64."""
    return np.ascontiguousarray(raw).view("<f2").astype(np.float64)[..., 0]


def _q8_0(b):
    blocks = b.reshape(-1, 34)
    d = _half(blocks[:, 0:2])
    q = blocks[:, 2:].view(np.int8).astype(np.float64)
    return (d[:, None] * q).reshape(-1)


def _q4_0(b):
    blocks = b.reshape(-1, 18)
    d = _half(blocks[:, 0:2])
    qs = blocks[:, 2:].astype(np.int64)
    q = np.concatenate([(qs & 15) - 8, (qs >> 4) - 8], axis=1).astype(np.float64)
    return (d[:, None] * q).reshape(-1)


def _q4k_scale_min(s, j):
    """6-bit scale and min of sub-block j (0..7) from the 12 packed bytes s[:, 0:12].
    j < 4: scale = s[j] & 63, min = s[j+4] & 63.
    j >= 4: scale = (s[j+4] & 15) | (s[j-4] >> 6) << 4, min = (s[j+4] >> 4) | (s[j] >> 6) << 4."""
    if j < 4:
        return s[:, j] & 63, s[:, j + 4] & 63
    sc = (s[:, j + 4] & 15) | ((s[:, j - 4] >> 6) << 4)
    mn = (s[:, j + 4] >> 4) | ((s[:, j] >> 6) << 4)
    return sc, mn


def _q4_k(b):
    blocks = b.reshape(-1, 144)
    d = _half(blocks[:, 0:2])
    dmin = _half(blocks[:, 2:4])
    s = blocks[:, 4:16].astype(np.int64)
    qs = blocks[:, 16:144].astype(np.int64)
    out = np.empty((blocks.shape[0], 256), dtype=np.float64)
    for i in range(4):                    # 4 chunks of 64 elements, 32 bytes of qs each
        chunk = qs[:, 32 * i:32 * i + 32]
        for half, q in ((0, chunk & 15), (1, chunk >> 4)):
            j = 2 * i + half
            sc, mn = _q4k_scale_min(s, j)
            out[:, 32 * j:32 * j + 32] = (d * sc)[:, None] * q - (dmin * mn)[:, None]
    return out.reshape(-1)


def _q6_k(b):
    blocks = b.reshape(-1, 210)
    ql = blocks[:, 0:128].astype(np.int64)
    qh = blocks[:, 128:192].astype(np.int64)
    sc = blocks[:, 192:208].view(np.int8).astype(np.float64)
    d = _half(blocks[:, 208:210])
    out = np.empty((blocks.shape[0], 256), dtype=np.float64)
    for n in range(2):                    # two halves of 128 elements
        l_lo = ql[:, 64 * n:64 * n + 32]
        l_hi = ql[:, 64 * n + 32:64 * n + 64]
        h = qh[:, 32 * n:32 * n + 32]
        quads = [
            (l_lo & 15) | (((h >> 0) & 3) << 4),
            (l_hi & 15) | (((h >> 2) & 3) << 4),
            (l_lo >> 4) | (((h >> 4) & 3) << 4),
            (l_hi >> 4) | (((h >> 6) & 3) << 4),
        ]
        for k, q in enumerate(quads):     # element 128n + 32k + l, l in 0..31
            base = 128 * n + 32 * k
            for part in range(2):         # scale index: 8n + 2k + l//16
                s = sc[:, 8 * n + 2 * k + part]
                out[:, base + 16 * part:base + 16 * part + 16] = \
                    (d * s)[:, None] * (q[:, 16 * part:16 * part + 16] - 32)
    return out.reshape(-1)


def dequantize(ggml_type, data):
    """data: bytes-like of one tensor -> 1-D float64 array."""
    b = np.frombuffer(data, dtype=np.uint8)
    if ggml_type == F32:
        return b.view("<f4").astype(np.float64)
    if ggml_type == F16:
        return b.view("<f2").astype(np.float64)
    if ggml_type == BF16:
        u = b.view("<u2").astype(np.uint32) << 16
        return u.view("<f4").astype(np.float64)
    if ggml_type == Q8_0:
        return _q8_0(b)
    if ggml_type == Q4_0:
        return _q4_0(b)
    if ggml_type == Q4_K:
        return _q4_k(b)
    if ggml_type == Q6_K:
        return _q6_k(b)
    raise ValueError(f"unsupported ggml type {ggml_type}")


def tensor_array(t):
    """A GGUF tensor as a float64 numpy array of shape reversed(ne) (row-major:
    a 2-D weight with ne = [cols, rows] becomes [rows][cols])."""
    return dequantize(t.type, t.data).reshape(list(reversed(t.ne)))
