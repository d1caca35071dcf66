#!/usr/bin/python3
"""Self-checks of the reference on hand-built inputs whose values follow from
the block layouts by hand (no sluice code involved):
  /usr/bin/python3 tools/reference/test_reference.py
"""

import struct
import sys

import numpy as np

import dequant as dq
from forward import Model


def half(x):
    return np.float16(x).tobytes()


def test_f16_bf16():
    assert dq.dequantize(dq.F16, half(1.5) + half(-2.0)).tolist() == [1.5, -2.0]
    bf = struct.pack("<HH", 0x3FC0, 0xC000)  # 1.5, -2.0 as the top halves of floats
    assert dq.dequantize(dq.BF16, bf).tolist() == [1.5, -2.0]


def test_q8_0():
    qs = bytes((i - 16) & 0xFF for i in range(32))  # int8 -16 .. 15
    out = dq.dequantize(dq.Q8_0, half(0.5) + qs)
    assert out.tolist() == [0.5 * (i - 16) for i in range(32)]


def test_q4_0():
    qs = bytes([0x1F] + [0x88] * 15)  # byte 0: low nibble 15, high nibble 1
    out = dq.dequantize(dq.Q4_0, half(2.0) + qs)
    assert out[0] == 2.0 * (15 - 8) and out[16] == 2.0 * (1 - 8)
    assert all(out[j] == 0 for j in range(32) if j not in (0, 16))


def test_q4_k():
    # Sub-block j: scale sc_j, min m_j (6 bits). j < 4 in the low 6 bits of
    # bytes j and j+4; j >= 4 split over byte j+4 (low 4 bits each) and the top
    # 2 bits of bytes j-4 (scale) and j (min).
    sc = [1, 2, 3, 4, 37, 50, 63, 17]
    mn = [5, 6, 7, 8, 40, 33, 21, 60]
    s = [0] * 12
    for j in range(4):
        s[j] = sc[j] | ((sc[j + 4] >> 4) << 6)
        s[j + 4] = mn[j] | ((mn[j + 4] >> 4) << 6)
        s[j + 8] = (sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4)
    # qs: chunk i (32 bytes) holds sub-block 2i in low nibbles, 2i+1 in high nibbles.
    q = [(e * 7) % 16 for e in range(256)]
    qs = bytearray(128)
    for i in range(4):
        for l in range(32):
            qs[32 * i + l] = q[64 * i + l] | (q[64 * i + 32 + l] << 4)
    block = half(0.25) + half(0.125) + bytes(s) + bytes(qs)
    out = dq.dequantize(dq.Q4_K, block)
    want = [0.25 * sc[e // 32] * q[e] - 0.125 * mn[e // 32] for e in range(256)]
    assert np.allclose(out, want, rtol=0, atol=1e-12), (out[:8], want[:8])


def test_q6_k():
    # Element e = 128n + 32k + l (n half, k quarter, l 0..31): low 4 bits in
    # ql[64n + l + 32*(k%2)] (low nibble for k < 2, high for k >= 2), high 2 bits
    # in qh[32n + l] at bit 2k; scale index 8n + 2k + l//16; x = d*scale*(q - 32).
    q = [(e * 11) % 64 for e in range(256)]
    scales = [(-1) ** i * (i + 1) for i in range(16)]
    ql, qh = bytearray(128), bytearray(64)
    for e in range(256):
        n, k, l = e // 128, (e % 128) // 32, e % 32
        idx = 64 * n + l + 32 * (k % 2)
        ql[idx] |= (q[e] & 15) << (4 * (k // 2))
        qh[32 * n + l] |= (q[e] >> 4) << (2 * k)
    block = bytes(ql) + bytes(qh) + struct.pack("<16b", *scales) + half(0.5)
    out = dq.dequantize(dq.Q6_K, block)
    want = [0.5 * scales[8 * (e // 128) + 2 * ((e % 128) // 32) + (e % 32) // 16] * (q[e] - 32)
            for e in range(256)]
    assert np.allclose(out, want, rtol=0, atol=1e-12)


def test_rope():
    m = Model.__new__(Model)
    m.rope_base = 10000.0
    x = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 4)
    pos = np.array([1])
    c1, s1 = np.cos(1.0), np.sin(1.0)      # pair 0: angle 1 * 10000^0
    c2, s2 = np.cos(0.01), np.sin(0.01)    # pair 1: angle 1 * 10000^(-2/4)
    # normal (llama): pairs (0,1), (2,3).
    r = m.rope(x, pos, neox=False)[0, 0]
    assert np.allclose(r, [c1 - 2 * s1, s1 + 2 * c1, 3 * c2 - 4 * s2, 3 * s2 + 4 * c2])
    # neox (qwen2): pairs (0,2), (1,3).
    r = m.rope(x, pos, neox=True)[0, 0]
    assert np.allclose(r, [c1 - 3 * s1, 2 * c2 - 4 * s2, s1 + 3 * c1, 2 * s2 + 4 * c2])


if __name__ == "__main__":
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_")]
    for t in tests:
        t()
        print("ok", t.__name__)
    sys.exit(0)
