// Block layouts of the quantized weight types, exactly as ggml defines them
// (ggml-common.h), plus the activation blocks the integer dot products use.
// Internal to engine/kernels. All fp16 fields are IEEE binary16 bits.
//
//   Q8_0 (32 elems, 34 B):  x[i] = d · qs[i]
//   Q4_0 (32 elems, 18 B):  x[i] = d · ((qs[i] & 0xF) − 8),  x[i+16] = d · ((qs[i] >> 4) − 8), i < 16
//   Q4_K (256 elems, 144 B): 8 sub-blocks of 32, each with a 6-bit scale sc_j and
//        6-bit min m_j packed in scales[12] (see ScaleMinK4);
//        x = d·sc_j·q − dmin·m_j. qs[32g + l] holds element 64g + l in its low
//        nibble and element 64g + 32 + l in its high nibble (g < 4, l < 32).
//   Q6_K (256 elems, 210 B): 16 sub-blocks of 16 with int8 scales; 6-bit q =
//        4 low bits from ql, 2 high bits from qh; x = d·scales[s]·(q − 32).
//        Per 128-element half h (ql += 64h, qh += 32h, scales += 8h), l < 32:
//          elem l      : ql[l] & 0xF     | ((qh[l] >> 0) & 3) << 4, scale is = l/16
//          elem l + 32 : ql[l + 32] & 0xF| ((qh[l] >> 2) & 3) << 4, scale is + 2
//          elem l + 64 : ql[l] >> 4      | ((qh[l] >> 4) & 3) << 4, scale is + 4
//          elem l + 96 : ql[l + 32] >> 4 | ((qh[l] >> 6) & 3) << 4, scale is + 6
#pragma once

#include <cstdint>

namespace sluice::engine::internal {

inline constexpr int kQK8_0 = 32;
inline constexpr int kQK4_0 = 32;
inline constexpr int kQKK = 256;  // QK_K: super-block of the k-quants

struct BlockQ8_0 {
  uint16_t d;  // fp16
  int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
  uint16_t d;  // fp16
  uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4K {
  uint16_t d;     // fp16, super-block scale for the quantized scales
  uint16_t dmin;  // fp16, super-block scale for the quantized mins
  uint8_t scales[12];
  uint8_t qs[kQKK / 2];
};
static_assert(sizeof(BlockQ4K) == 144);

struct BlockQ6K {
  uint8_t ql[kQKK / 2];
  uint8_t qh[kQKK / 4];
  int8_t scales[kQKK / 16];
  uint16_t d;  // fp16
};
static_assert(sizeof(BlockQ6K) == 210);

// Sub-block j (< 8) scale and min of a Q4_K block, as ggml's get_scale_min_k4:
// j < 4: low 6 bits of scales[j] and scales[j+4]; j >= 4: low/high nibble of
// scales[j+4] plus the top 2 bits of scales[j-4] / scales[j].
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Activation blocks (our own, never stored in files).
// Q8_0-style: 32 int8 with a float scale, for Q8_0 / Q4_0 weights.
struct ActQ8_0 {
  float d;
  int8_t qs[kQK8_0];
};
// Q8_K-style: 256 int8, float scale, and the sums of each 16 quants (for the
// Q4_K mins and the Q6_K −32 offset).
struct ActQ8K {
  float d;
  int8_t qs[kQKK];
  int16_t bsums[kQKK / 16];
};

// ggml's nearest_int: round half to even via the 1.5·2^23 trick (|f| < 2^22).
inline int NearestInt(float f) {
  float v = f + 12582912.f;
  int i;
  __builtin_memcpy(&i, &v, sizeof(i));
  return (i & 0x007fffff) - 0x00400000;
}

}  // namespace sluice::engine::internal
