// Highway kernels for dot.h, compiled once per SIMD target (foreach_target)
// and chosen at run time (HWY_DYNAMIC_DISPATCH): AVX-512, AVX2, SSE4, NEON...
//
// Integer kernels work on int16 lanes: int8 (or unpacked 4/6-bit) weights and
// int8 activations are widened and multiplied pairwise into int32 lanes with
// ReorderWidenMulAccumulate (vpmaddwd on x86), at most 16 int16 lanes per
// vector so a 16-element sub-block is a whole number of vectors on every
// target. Each weight block is loaded and unpacked once per token tile and
// multiplied with up to kTokenTile activation rows, each with its own
// accumulator (acc0..acc3: Highway vectors cannot live in arrays on SVE).
// Float weights (F32/F16/BF16) use FMA on float lanes.
// On x86 AVX2 and up, Q8_0 and Q4_0 also get rows kernels (register tiles of
// rows × tokens on int8 lanes, see "register tiles on x86" below), with
// AVX512-VNNI when the CPU has it.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/dot_hwy.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>
#include <hwy/targets.h>

#include <algorithm>

#include "engine/kernels/blocks.h"
#include "engine/kernels/dot.h"
#include "engine/kernels/fp16.h"

HWY_BEFORE_NAMESPACE();
namespace sluice::engine::internal {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D16 = hn::CappedTag<int16_t, 16>;
using D32 = hn::RepartitionToWide<D16>;
using DF = hn::Rebind<float, D32>;
using DI8 = hn::Rebind<int8_t, D16>;
using DU8 = hn::Rebind<uint8_t, D16>;
using V16 = hn::Vec<D16>;
using V32 = hn::Vec<D32>;
using VF = hn::Vec<DF>;

// fp16 → fp32 of one block scale: the hardware conversion where the target
// has one (F16C on x86 AVX2 and up, Arm), else fp16.h's exact bit arithmetic.
HWY_INLINE float HalfToFloat(const uint16_t& h) {
#if (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2 && !defined(HWY_DISABLE_F16C)) || HWY_ARCH_ARM_A64
  const hn::CappedTag<float, 1> d1;
  const hn::Rebind<hwy::float16_t, decltype(d1)> dh1;
  return hn::GetLane(hn::PromoteTo(d1, hn::LoadU(dh1, reinterpret_cast<const hwy::float16_t*>(&h))));
#else
  return Fp16ToFp32(h);
#endif
}

template <class D, class V>
HWY_INLINE float SumLanes(D d, V v) {
  return hn::GetLane(hn::SumOfLanes(d, v));
}

HWY_INLINE V16 LoadI8(const int8_t* p) { return hn::PromoteTo(D16(), hn::LoadU(DI8(), p)); }
HWY_INLINE V16 LoadU8(const uint8_t* p) { return hn::PromoteTo(D16(), hn::LoadU(DU8(), p)); }

// acc += Σ pairs of w·a (int16 → int32). `hi` is the second accumulator some
// targets need (ReorderWidenMulAccumulate's sum1); the total is acc + hi.
HWY_INLINE void MulAcc(V16 w, V16 a, V32& acc, V32& hi) {
  acc = hn::ReorderWidenMulAccumulate(D32(), w, a, acc, hi);
}

// Applies `body(t, act_row_t)` for the NT tokens of a tile with named
// accumulators: a tiny helper to keep the per-type kernels readable.
template <int NT>
struct Tile {
  const std::byte* act;
  size_t stride;
  template <class T>
  HWY_INLINE const T* Row(int t) const {
    return reinterpret_cast<const T*>(act + static_cast<size_t>(t) * stride);
  }
};

// ---- Q8_0 weights × Q8_0 activations ---------------------------------------
template <int NT>
HWY_NOINLINE void Q8_0Tile(const BlockQ8_0* w, Tile<NT> tile, int64_t nb, float* out) {
  const D16 d16;
  const D32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  const ActQ8_0* a0 = tile.template Row<ActQ8_0>(0);
  const ActQ8_0* a1 = tile.template Row<ActQ8_0>(NT > 1 ? 1 : 0);
  const ActQ8_0* a2 = tile.template Row<ActQ8_0>(NT > 2 ? 2 : 0);
  const ActQ8_0* a3 = tile.template Row<ActQ8_0>(NT > 3 ? 3 : 0);
  VF f0 = hn::Zero(df), f1 = hn::Zero(df), f2 = hn::Zero(df), f3 = hn::Zero(df);
  for (int64_t i = 0; i < nb; ++i) {
    V32 s0 = hn::Zero(d32), s1 = s0, s2 = s0, s3 = s0;
    V32 h0 = s0, h1 = s0, h2 = s0, h3 = s0;
    for (size_t j = 0; j < kQK8_0; j += n16) {
      const V16 wv = LoadI8(w[i].qs + j);
      MulAcc(wv, LoadI8(a0[i].qs + j), s0, h0);
      if constexpr (NT > 1) MulAcc(wv, LoadI8(a1[i].qs + j), s1, h1);
      if constexpr (NT > 2) MulAcc(wv, LoadI8(a2[i].qs + j), s2, h2);
      if constexpr (NT > 3) MulAcc(wv, LoadI8(a3[i].qs + j), s3, h3);
    }
    const float dw = HalfToFloat(w[i].d);
    f0 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, h0)), hn::Set(df, dw * a0[i].d), f0);
    if constexpr (NT > 1) f1 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s1, h1)), hn::Set(df, dw * a1[i].d), f1);
    if constexpr (NT > 2) f2 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s2, h2)), hn::Set(df, dw * a2[i].d), f2);
    if constexpr (NT > 3) f3 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s3, h3)), hn::Set(df, dw * a3[i].d), f3);
  }
  out[0] = SumLanes(df, f0);
  if constexpr (NT > 1) out[1] = SumLanes(df, f1);
  if constexpr (NT > 2) out[2] = SumLanes(df, f2);
  if constexpr (NT > 3) out[3] = SumLanes(df, f3);
}

// ---- Q4_0 weights × Q8_0 activations ---------------------------------------
template <int NT>
HWY_NOINLINE void Q4_0Tile(const BlockQ4_0* w, Tile<NT> tile, int64_t nb, float* out) {
  const D16 d16;
  const D32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  const V16 k15 = hn::Set(d16, 0xF), k8 = hn::Set(d16, 8);
  const ActQ8_0* a0 = tile.template Row<ActQ8_0>(0);
  const ActQ8_0* a1 = tile.template Row<ActQ8_0>(NT > 1 ? 1 : 0);
  const ActQ8_0* a2 = tile.template Row<ActQ8_0>(NT > 2 ? 2 : 0);
  const ActQ8_0* a3 = tile.template Row<ActQ8_0>(NT > 3 ? 3 : 0);
  VF f0 = hn::Zero(df), f1 = hn::Zero(df), f2 = hn::Zero(df), f3 = hn::Zero(df);
  for (int64_t i = 0; i < nb; ++i) {
    V32 s0 = hn::Zero(d32), s1 = s0, s2 = s0, s3 = s0;
    V32 h0 = s0, h1 = s0, h2 = s0, h3 = s0;
    for (size_t j = 0; j < kQK4_0 / 2; j += n16) {
      const V16 packed = LoadU8(w[i].qs + j);
      const V16 lo = hn::Sub(hn::And(packed, k15), k8);         // elements j..
      const V16 hi = hn::Sub(hn::ShiftRight<4>(packed), k8);    // elements 16 + j..
      MulAcc(lo, LoadI8(a0[i].qs + j), s0, h0);
      MulAcc(hi, LoadI8(a0[i].qs + 16 + j), s0, h0);
      if constexpr (NT > 1) {
        MulAcc(lo, LoadI8(a1[i].qs + j), s1, h1);
        MulAcc(hi, LoadI8(a1[i].qs + 16 + j), s1, h1);
      }
      if constexpr (NT > 2) {
        MulAcc(lo, LoadI8(a2[i].qs + j), s2, h2);
        MulAcc(hi, LoadI8(a2[i].qs + 16 + j), s2, h2);
      }
      if constexpr (NT > 3) {
        MulAcc(lo, LoadI8(a3[i].qs + j), s3, h3);
        MulAcc(hi, LoadI8(a3[i].qs + 16 + j), s3, h3);
      }
    }
    const float dw = HalfToFloat(w[i].d);
    f0 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, h0)), hn::Set(df, dw * a0[i].d), f0);
    if constexpr (NT > 1) f1 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s1, h1)), hn::Set(df, dw * a1[i].d), f1);
    if constexpr (NT > 2) f2 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s2, h2)), hn::Set(df, dw * a2[i].d), f2);
    if constexpr (NT > 3) f3 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s3, h3)), hn::Set(df, dw * a3[i].d), f3);
  }
  out[0] = SumLanes(df, f0);
  if constexpr (NT > 1) out[1] = SumLanes(df, f1);
  if constexpr (NT > 2) out[2] = SumLanes(df, f2);
  if constexpr (NT > 3) out[3] = SumLanes(df, f3);
}

// ---- Q8_0 / Q4_0 register tiles on x86 (AVX2, AVX-512) ---------------------
// One 32-element block is one 256-bit vector. Σ w·a uses the unsigned×signed
// byte multiply: on AVX2/AVX-512, |w| (unsigned) times a·sign(w) with
// vpmaddubsw + vpmaddwd (|w| ≤ 128 and |a| ≤ 127 — activations are quantized
// to ±127 — so a pair sum ≤ 32512 never saturates int16); on AVX-512 VNNI
// (AVX3_DL) and ≥ 2 tokens, one 512-bit vpdpbusd of (a + 128) (unsigned) times
// w for two tokens at once, into an accumulator that starts at −128·Σw. A tile of NR rows × NT tokens keeps NR·NT float
// accumulators in registers: each weight block is unpacked once for NT
// tokens, each activation block loaded once for NR rows. Other targets
// (NEON, SSE4, ...) leave the rows kernels null and use the tiles above.
#undef SLUICE_X86_ROWS  // this file is compiled once per target
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
#define SLUICE_X86_ROWS 1

// AVX2 has 16 vector registers: 2 rows × 4 tokens; AVX-512 has 32: 4 × 4.
#if HWY_TARGET <= HWY_AVX3
inline constexpr int kX86Rows = 4;
#else
inline constexpr int kX86Rows = 2;
#endif

// Blocks are loaded with their bytes reordered so that bytes 4j..4j+3 hold
// elements 2j, 2j+1, 16+2j, 17+2j (j < 8): then the int32 lane j of a block's
// dot product sums the same four products as the int16 kernels above
// (ReorderWidenMulAccumulate over two 16-element halves) and every float
// operation after it is the same, so these kernels give bit-identical results
// to them: decode, prompt and every target agree exactly (a last-bit
// difference could flip an int8 rounding of the next layer's activations).
HWY_INLINE __m256i InterleaveHalves(__m128i lo, __m128i hi) {  // lo: elements 0..15, hi: 16..31
  return _mm256_set_m128i(_mm_unpackhi_epi16(lo, hi), _mm_unpacklo_epi16(lo, hi));
}

HWY_INLINE __m256i LoadBlockI8(const int8_t* p) {
  return InterleaveHalves(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)),
                          _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16)));
}

// DotKernels::rows_act_prep: each activation block reordered in place once,
// so the tiles load them as they are.
void X86PrepActivations(std::byte* act_row, int64_t cols) {
  ActQ8_0* a = reinterpret_cast<ActQ8_0*>(act_row);
  for (int64_t i = 0; i < cols / kQK8_0; ++i) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(a[i].qs), LoadBlockI8(a[i].qs));
  }
}

struct Q8Unpack {
  using Block = BlockQ8_0;
  static constexpr bool kUnsigned = false;
  static HWY_INLINE __m256i LoadUnsigned(const BlockQ8_0&) { return _mm256_setzero_si256(); }
  static HWY_INLINE __m256i Load(const BlockQ8_0& b) { return LoadBlockI8(b.qs); }
};

struct Q4Unpack {  // elements 0..15: low nibbles, 16..31: high nibbles, minus 8
  using Block = BlockQ4_0;
  static constexpr bool kUnsigned = true;  // LoadUnsigned: the nibbles without the −8
  static HWY_INLINE __m256i LoadUnsigned(const BlockQ4_0& b) {
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
    const __m128i k15 = _mm_set1_epi8(0xF);
    return InterleaveHalves(_mm_and_si128(packed, k15), _mm_and_si128(_mm_srli_epi16(packed, 4), k15));
  }
  static HWY_INLINE __m256i Load(const BlockQ4_0& b) {
    return _mm256_sub_epi8(LoadUnsigned(b), _mm256_set1_epi8(8));
  }
};

// int32 lanes whose sum is Σ w·a over one block; w_abs = |w|.
HWY_INLINE __m256i BlockDotI8(__m256i w_abs, __m256i w, __m256i a) {
  const __m256i a_signed = _mm256_sign_epi8(a, w);  // a·sign(w); 0 where w = 0
  return _mm256_madd_epi16(_mm256_maddubs_epi16(w_abs, a_signed), _mm256_set1_epi16(1));
}

// Highway's SumOfLanes on 8 float lanes, as the int16 kernels end.
HWY_INLINE float HorizontalSum(__m256 v) { return SumLanes(DF(), VF{v}); }

// The NR weight rows and NT activation rows one register tile reads.
template <class U, int NR, int NT>
struct TileRows {
  const typename U::Block* w[NR];
  const ActQ8_0* act[NT];
  TileRows(const std::byte* wb, size_t row_bytes, const std::byte* ab, size_t act_stride) {
    for (int r = 0; r < NR; ++r) {
      w[r] = reinterpret_cast<const typename U::Block*>(wb + static_cast<size_t>(r) * row_bytes);
    }
    for (int t = 0; t < NT; ++t) {
      act[t] = reinterpret_cast<const ActQ8_0*>(ab + static_cast<size_t>(t) * act_stride);
    }
  }
};

// out[r·kTokenTile + t] for r < NR, t < NT.
template <class U, int NR, int NT>
HWY_NOINLINE void X86Tile(const std::byte* w, size_t row_bytes, const std::byte* act,
                          size_t act_stride, int64_t nb, float* out) {
  const TileRows<U, NR, NT> rows(w, row_bytes, act, act_stride);
  const auto& wr = rows.w;  // (rows) weight blocks
  const auto& at = rows.act;  // (tokens) activation blocks
  __m256 acc[NR][NT];  // (rows, tokens)
  for (int r = 0; r < NR; ++r) {
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm256_setzero_ps();
  }
  for (int64_t i = 0; i < nb; ++i) {
    __m256i a[NT];
    __m256 da[NT];
    for (int t = 0; t < NT; ++t) {
      a[t] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at[t][i].qs));  // reordered
      da[t] = _mm256_set1_ps(at[t][i].d);
    }
    for (int r = 0; r < NR; ++r) {
      const __m256i wq = U::Load(wr[r][i]);
      const __m256 dw = _mm256_set1_ps(HalfToFloat(wr[r][i].d));
      const __m256i w_abs = _mm256_abs_epi8(wq);
      for (int t = 0; t < NT; ++t) {
        const __m256 dot = _mm256_cvtepi32_ps(BlockDotI8(w_abs, wq, a[t]));
        acc[r][t] = _mm256_fmadd_ps(dot, _mm256_mul_ps(dw, da[t]), acc[r][t]);
      }
    }
  }
  for (int r = 0; r < NR; ++r) {
    for (int t = 0; t < NT; ++t) out[r * kTokenTile + t] = HorizontalSum(acc[r][t]);
  }
}


#if HWY_TARGET <= HWY_AVX3
// AVX-512 VNNI, compiled into the AVX3 target with its own target attribute
// and chosen at run time (Highway 1.0's AVX3_DL target enables AVX-VNNI, the
// VEX encoding that CPUs such as Zen 4 lack, instead of AVX512-VNNI). One
// 512-bit vector holds the same block of two tokens; the weight block is
// broadcast to both halves.
template <class U, int NR, int NT>
__attribute__((target("avx512vnni"))) HWY_NOINLINE void X86TileVnni(const std::byte* w, size_t row_bytes, const std::byte* act,
                              size_t act_stride, int64_t nb, float* out) {
  constexpr int NP = (NT + 1) / 2;  // token pairs
  const TileRows<U, NR, NT> rows(w, row_bytes, act, act_stride);
  const auto& wr = rows.w;  // (rows) weight blocks
  const auto& at = rows.act;  // (tokens) activation blocks
  const __m512i k80 = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512 acc[NR][NP];  // (rows, token pairs)
  for (int r = 0; r < NR; ++r) {
    for (int p = 0; p < NP; ++p) acc[r][p] = _mm512_setzero_ps();
  }
  const __m512i zero = _mm512_setzero_si512();
  for (int64_t i = 0; i < nb; ++i) {
    // Signed weights (Q8_0): a + 128 as unsigned bytes times w, from −128·Σw
    // per row. Q4_0: the unsigned nibbles q times the signed a, from −8·Σa
    // per token (q − 8 = w), so its weights need no sign handling at all.
    __m512i a[NP];  // tokens 2p (low half), 2p + 1 (high half)
    __m512i a_bias[NP];  // Q4_0: −8·Σa
    __m512 da[NP];
    for (int p = 0; p < NP; ++p) {
      const int t0 = 2 * p, t1 = 2 * p + 1 < NT ? 2 * p + 1 : 2 * p;
      const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at[t0][i].qs));
      const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at[t1][i].qs));
      a[p] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
      if constexpr (U::kUnsigned) {
        a_bias[p] = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, _mm512_set1_epi8(8), a[p]));
      } else {
        a[p] = _mm512_xor_si512(a[p], k80);
        a_bias[p] = zero;
      }
      da[p] = _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_set1_ps(at[t0][i].d)),
                                 _mm256_set1_ps(at[t1][i].d), 1);
    }
    for (int r = 0; r < NR; ++r) {
      const __m512 dw = _mm512_set1_ps(HalfToFloat(wr[r][i].d));
      if constexpr (U::kUnsigned) {
        const __m512i q = _mm512_broadcast_i64x4(U::LoadUnsigned(wr[r][i]));
        for (int p = 0; p < NP; ++p) {
          const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(a_bias[p], q, a[p]));
          acc[r][p] = _mm512_fmadd_ps(dot, _mm512_mul_ps(dw, da[p]), acc[r][p]);
        }
      } else {
        const __m512i wq = _mm512_broadcast_i64x4(U::Load(wr[r][i]));
        const __m512i neg_bias = _mm512_sub_epi32(zero, _mm512_dpbusd_epi32(zero, k80, wq));
        for (int p = 0; p < NP; ++p) {
          const __m512 dot = _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(neg_bias, a[p], wq));
          acc[r][p] = _mm512_fmadd_ps(dot, _mm512_mul_ps(dw, da[p]), acc[r][p]);
        }
      }
    }
  }
  for (int r = 0; r < NR; ++r) {
    for (int p = 0; p < NP; ++p) {
      out[r * kTokenTile + 2 * p] = HorizontalSum(_mm512_castps512_ps256(acc[r][p]));
      if (2 * p + 1 < NT) {
        out[r * kTokenTile + 2 * p + 1] = HorizontalSum(_mm512_extractf32x8_ps(acc[r][p], 1));
      }
    }
  }
}
#endif  // HWY_TARGET <= HWY_AVX3

template <class U, bool kVnni, int NR>
HWY_INLINE void X86TileTokens(const std::byte* w, size_t row_bytes, const std::byte* act,
                              size_t act_stride, int n_act, int64_t nb, float* out) {
#if HWY_TARGET <= HWY_AVX3
  if constexpr (kVnni) {
    switch (n_act) {
      case 1: return X86Tile<U, NR, 1>(w, row_bytes, act, act_stride, nb, out);
      case 2: return X86TileVnni<U, NR, 2>(w, row_bytes, act, act_stride, nb, out);
      case 3: return X86TileVnni<U, NR, 3>(w, row_bytes, act, act_stride, nb, out);
      default: return X86TileVnni<U, NR, 4>(w, row_bytes, act, act_stride, nb, out);
    }
  }
#endif
  switch (n_act) {

    case 1: return X86Tile<U, NR, 1>(w, row_bytes, act, act_stride, nb, out);
    case 2: return X86Tile<U, NR, 2>(w, row_bytes, act, act_stride, nb, out);
    case 3: return X86Tile<U, NR, 3>(w, row_bytes, act, act_stride, nb, out);
    default: return X86Tile<U, NR, 4>(w, row_bytes, act, act_stride, nb, out);
  }
}

// DotRowsFn body: n_rows (<= kRowTile) in tiles of at most kX86Rows.
template <class U, bool kVnni>
void X86Rows(const std::byte* w, size_t row_bytes, int n_rows, const std::byte* act,
             size_t act_stride, int n_act, int64_t cols, float* out) {
  const int64_t nb = cols / kQK8_0;
  for (int r = 0; r < n_rows; r += kX86Rows) {
    const std::byte* wr = w + static_cast<size_t>(r) * row_bytes;
    float* o = out + r * kTokenTile;
#if HWY_TARGET <= HWY_AVX3
    // VNNI tiles of 8 rows × 2 token pairs: 16 of the 32 zmm registers.
    if (kVnni && n_rows - r >= 8) {
      X86TileTokens<U, kVnni, 8>(wr, row_bytes, act, act_stride, n_act, nb, o);
      r += 8 - kX86Rows;
      continue;
    }
#endif
    switch (std::min(kX86Rows, n_rows - r)) {
      case 1: X86TileTokens<U, kVnni, 1>(wr, row_bytes, act, act_stride, n_act, nb, o); break;
      case 2: X86TileTokens<U, kVnni, 2>(wr, row_bytes, act, act_stride, n_act, nb, o); break;
      case 3: X86TileTokens<U, kVnni, 3>(wr, row_bytes, act, act_stride, n_act, nb, o); break;
      default: X86TileTokens<U, kVnni, 4>(wr, row_bytes, act, act_stride, n_act, nb, o); break;
    }
  }
}
#endif  // HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2

// ---- Q4_K weights × Q8_K activations ---------------------------------------
// Σ x·w = d·Σ_j sc_j Σ q·a − dmin·Σ_j m_j Σ a. The 4-bit q times the 6-bit
// scale fits int16 (≤ 945), so the scale is applied before the pairwise madd.
template <int NT>
HWY_NOINLINE void Q4KTile(const BlockQ4K* w, Tile<NT> tile, int64_t nb, float* out) {
  const D16 d16;
  const D32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  const V16 k15 = hn::Set(d16, 0xF);
  const ActQ8K* a0 = tile.template Row<ActQ8K>(0);
  const ActQ8K* a1 = tile.template Row<ActQ8K>(NT > 1 ? 1 : 0);
  const ActQ8K* a2 = tile.template Row<ActQ8K>(NT > 2 ? 2 : 0);
  const ActQ8K* a3 = tile.template Row<ActQ8K>(NT > 3 ? 3 : 0);
  VF f0 = hn::Zero(df), f1 = hn::Zero(df), f2 = hn::Zero(df), f3 = hn::Zero(df);
  float m0 = 0, m1 = 0, m2 = 0, m3 = 0;  // Σ dmin·d_a·Σ m_j·bsum_j per token
  for (int64_t i = 0; i < nb; ++i) {
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) ScaleMinK4(j, w[i].scales, &sc[j], &mn[j]);
    V32 s0 = hn::Zero(d32), s1 = s0, s2 = s0, s3 = s0;
    V32 h0 = s0, h1 = s0, h2 = s0, h3 = s0;
    for (int g = 0; g < 4; ++g) {
      const V16 sc_lo = hn::Set(d16, static_cast<int16_t>(sc[2 * g]));
      const V16 sc_hi = hn::Set(d16, static_cast<int16_t>(sc[2 * g + 1]));
      for (size_t l = 0; l < 32; l += n16) {
        const V16 packed = LoadU8(w[i].qs + 32 * g + l);
        const V16 lo = hn::Mul(hn::And(packed, k15), sc_lo);       // element 64g + l
        const V16 hi = hn::Mul(hn::ShiftRight<4>(packed), sc_hi);  // element 64g + 32 + l
        const size_t e = 64 * static_cast<size_t>(g) + l;
        MulAcc(lo, LoadI8(a0[i].qs + e), s0, h0);
        MulAcc(hi, LoadI8(a0[i].qs + e + 32), s0, h0);
        if constexpr (NT > 1) {
          MulAcc(lo, LoadI8(a1[i].qs + e), s1, h1);
          MulAcc(hi, LoadI8(a1[i].qs + e + 32), s1, h1);
        }
        if constexpr (NT > 2) {
          MulAcc(lo, LoadI8(a2[i].qs + e), s2, h2);
          MulAcc(hi, LoadI8(a2[i].qs + e + 32), s2, h2);
        }
        if constexpr (NT > 3) {
          MulAcc(lo, LoadI8(a3[i].qs + e), s3, h3);
          MulAcc(hi, LoadI8(a3[i].qs + e + 32), s3, h3);
        }
      }
    }
    const float d = HalfToFloat(w[i].d);
    const float dmin = HalfToFloat(w[i].dmin);
    auto min_sum = [&](const ActQ8K* a) {
      int s = 0;
      for (int j = 0; j < 8; ++j) s += mn[j] * (a[i].bsums[2 * j] + a[i].bsums[2 * j + 1]);
      return dmin * a[i].d * static_cast<float>(s);
    };
    f0 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, h0)), hn::Set(df, d * a0[i].d), f0);
    m0 += min_sum(a0);
    if constexpr (NT > 1) {
      f1 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s1, h1)), hn::Set(df, d * a1[i].d), f1);
      m1 += min_sum(a1);
    }
    if constexpr (NT > 2) {
      f2 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s2, h2)), hn::Set(df, d * a2[i].d), f2);
      m2 += min_sum(a2);
    }
    if constexpr (NT > 3) {
      f3 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s3, h3)), hn::Set(df, d * a3[i].d), f3);
      m3 += min_sum(a3);
    }
  }
  out[0] = SumLanes(df, f0) - m0;
  if constexpr (NT > 1) out[1] = SumLanes(df, f1) - m1;
  if constexpr (NT > 2) out[2] = SumLanes(df, f2) - m2;
  if constexpr (NT > 3) out[3] = SumLanes(df, f3) - m3;
}

// ---- Q6_K weights × Q8_K activations ---------------------------------------
// (q − 32)·scale fits int16 (|·| ≤ 4096); 16 lanes never straddle a 16-element
// sub-block, so one scale per vector.
template <int NT>
HWY_NOINLINE void Q6KTile(const BlockQ6K* w, Tile<NT> tile, int64_t nb, float* out) {
  const D16 d16;
  const D32 d32;
  const DF df;
  const size_t n16 = hn::Lanes(d16);
  const V16 k15 = hn::Set(d16, 0xF), k3 = hn::Set(d16, 3), k32 = hn::Set(d16, 32);
  const ActQ8K* a0 = tile.template Row<ActQ8K>(0);
  const ActQ8K* a1 = tile.template Row<ActQ8K>(NT > 1 ? 1 : 0);
  const ActQ8K* a2 = tile.template Row<ActQ8K>(NT > 2 ? 2 : 0);
  const ActQ8K* a3 = tile.template Row<ActQ8K>(NT > 3 ? 3 : 0);
  VF f0 = hn::Zero(df), f1 = hn::Zero(df), f2 = hn::Zero(df), f3 = hn::Zero(df);
  for (int64_t i = 0; i < nb; ++i) {
    V32 s0 = hn::Zero(d32), s1 = s0, s2 = s0, s3 = s0;
    V32 h0 = s0, h1 = s0, h2 = s0, h3 = s0;
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = w[i].ql + 64 * half;
      const uint8_t* qh = w[i].qh + 32 * half;
      const int8_t* scales = w[i].scales + 8 * half;
      for (size_t l = 0; l < 32; l += n16) {
        const size_t is = l / 16;
        const V16 lo0 = LoadU8(ql + l), lo1 = LoadU8(ql + 32 + l), hb = LoadU8(qh + l);
        const V16 q1 = hn::Or(hn::And(lo0, k15), hn::ShiftLeft<4>(hn::And(hb, k3)));
        const V16 q2 = hn::Or(hn::And(lo1, k15), hn::ShiftLeft<4>(hn::And(hn::ShiftRight<2>(hb), k3)));
        const V16 q3 = hn::Or(hn::ShiftRight<4>(lo0), hn::ShiftLeft<4>(hn::And(hn::ShiftRight<4>(hb), k3)));
        const V16 q4 = hn::Or(hn::ShiftRight<4>(lo1), hn::ShiftLeft<4>(hn::ShiftRight<6>(hb)));
        const V16 w1 = hn::Mul(hn::Sub(q1, k32), hn::Set(d16, static_cast<int16_t>(scales[is])));
        const V16 w2 = hn::Mul(hn::Sub(q2, k32), hn::Set(d16, static_cast<int16_t>(scales[is + 2])));
        const V16 w3 = hn::Mul(hn::Sub(q3, k32), hn::Set(d16, static_cast<int16_t>(scales[is + 4])));
        const V16 w4 = hn::Mul(hn::Sub(q4, k32), hn::Set(d16, static_cast<int16_t>(scales[is + 6])));
        const size_t e = 128 * static_cast<size_t>(half) + l;
        auto acc = [&](const ActQ8K* a, V32& s, V32& h) {
          MulAcc(w1, LoadI8(a[i].qs + e), s, h);
          MulAcc(w2, LoadI8(a[i].qs + e + 32), s, h);
          MulAcc(w3, LoadI8(a[i].qs + e + 64), s, h);
          MulAcc(w4, LoadI8(a[i].qs + e + 96), s, h);
        };
        acc(a0, s0, h0);
        if constexpr (NT > 1) acc(a1, s1, h1);
        if constexpr (NT > 2) acc(a2, s2, h2);
        if constexpr (NT > 3) acc(a3, s3, h3);
      }
    }
    const float d = HalfToFloat(w[i].d);
    f0 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s0, h0)), hn::Set(df, d * a0[i].d), f0);
    if constexpr (NT > 1) f1 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s1, h1)), hn::Set(df, d * a1[i].d), f1);
    if constexpr (NT > 2) f2 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s2, h2)), hn::Set(df, d * a2[i].d), f2);
    if constexpr (NT > 3) f3 = hn::MulAdd(hn::ConvertTo(df, hn::Add(s3, h3)), hn::Set(df, d * a3[i].d), f3);
  }
  out[0] = SumLanes(df, f0);
  if constexpr (NT > 1) out[1] = SumLanes(df, f1);
  if constexpr (NT > 2) out[2] = SumLanes(df, f2);
  if constexpr (NT > 3) out[3] = SumLanes(df, f3);
}

// ---- F32 / F16 / BF16 weights × F32 activations ----------------------------
enum class FloatKind { kF32, kF16, kBF16 };

template <FloatKind K>
HWY_INLINE hn::Vec<hn::ScalableTag<float>> LoadWeights(const std::byte* w, size_t c) {
  const hn::ScalableTag<float> df;
  if constexpr (K == FloatKind::kF32) {
    return hn::LoadU(df, reinterpret_cast<const float*>(w) + c);
  } else if constexpr (K == FloatKind::kF16) {
    const hn::Rebind<hwy::float16_t, decltype(df)> dh;
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(w) + c));
  } else {
    const hn::RebindToUnsigned<decltype(df)> du32;
    const hn::Rebind<uint16_t, decltype(df)> du16;
    const auto bits = hn::PromoteTo(du32, hn::LoadU(du16, reinterpret_cast<const uint16_t*>(w) + c));
    return hn::BitCast(df, hn::ShiftLeft<16>(bits));
  }
}

template <FloatKind K>
HWY_INLINE float WeightAt(const std::byte* w, int64_t c) {
  if constexpr (K == FloatKind::kF32) return reinterpret_cast<const float*>(w)[c];
  const uint16_t h = reinterpret_cast<const uint16_t*>(w)[c];
  return K == FloatKind::kF16 ? Fp16ToFp32(h) : Bf16ToFp32(h);
}

template <FloatKind K, int NT>
HWY_NOINLINE void FloatTile(const std::byte* w, Tile<NT> tile, int64_t cols, float* out) {
  const hn::ScalableTag<float> df;
  const size_t n = hn::Lanes(df);
  const float* a0 = tile.template Row<float>(0);
  const float* a1 = tile.template Row<float>(NT > 1 ? 1 : 0);
  const float* a2 = tile.template Row<float>(NT > 2 ? 2 : 0);
  const float* a3 = tile.template Row<float>(NT > 3 ? 3 : 0);
  auto f0 = hn::Zero(df), f1 = f0, f2 = f0, f3 = f0;
  size_t c = 0;
  for (; c + n <= static_cast<size_t>(cols); c += n) {
    const auto wv = LoadWeights<K>(w, c);
    f0 = hn::MulAdd(wv, hn::LoadU(df, a0 + c), f0);
    if constexpr (NT > 1) f1 = hn::MulAdd(wv, hn::LoadU(df, a1 + c), f1);
    if constexpr (NT > 2) f2 = hn::MulAdd(wv, hn::LoadU(df, a2 + c), f2);
    if constexpr (NT > 3) f3 = hn::MulAdd(wv, hn::LoadU(df, a3 + c), f3);
  }
  float r[4] = {SumLanes(df, f0), 0, 0, 0};
  if constexpr (NT > 1) r[1] = SumLanes(df, f1);
  if constexpr (NT > 2) r[2] = SumLanes(df, f2);
  if constexpr (NT > 3) r[3] = SumLanes(df, f3);
  for (; c < static_cast<size_t>(cols); ++c) {
    const float wc = WeightAt<K>(w, static_cast<int64_t>(c));
    r[0] += wc * a0[c];
    if constexpr (NT > 1) r[1] += wc * a1[c];
    if constexpr (NT > 2) r[2] += wc * a2[c];
    if constexpr (NT > 3) r[3] += wc * a3[c];
  }
  for (int t = 0; t < NT; ++t) out[t] = r[t];
}

// ---- Entry points with the DotFn signature ---------------------------------
// Runs fn(Tile<n_act>) with the tile size as a compile-time constant.
template <class Fn>
HWY_INLINE void ByTile(int n_act, const std::byte* act, size_t stride, Fn fn) {
  switch (n_act) {
    case 1: fn(Tile<1>{act, stride}); return;
    case 2: fn(Tile<2>{act, stride}); return;
    case 3: fn(Tile<3>{act, stride}); return;
    default: fn(Tile<4>{act, stride}); return;
  }
}

void DotQ8_0(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
             float* out) {
  const auto* w = reinterpret_cast<const BlockQ8_0*>(w_row);
  ByTile(n_act, act, stride, [&](auto tile) { Q8_0Tile(w, tile, cols / kQK8_0, out); });
}
void DotQ4_0(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
             float* out) {
  const auto* w = reinterpret_cast<const BlockQ4_0*>(w_row);
  ByTile(n_act, act, stride, [&](auto tile) { Q4_0Tile(w, tile, cols / kQK4_0, out); });
}
void DotQ4K(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
            float* out) {
  const auto* w = reinterpret_cast<const BlockQ4K*>(w_row);
  ByTile(n_act, act, stride, [&](auto tile) { Q4KTile(w, tile, cols / kQKK, out); });
}
void DotQ6K(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
            float* out) {
  const auto* w = reinterpret_cast<const BlockQ6K*>(w_row);
  ByTile(n_act, act, stride, [&](auto tile) { Q6KTile(w, tile, cols / kQKK, out); });
}
template <FloatKind K>
void DotFloat(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
              float* out) {
  ByTile(n_act, act, stride, [&](auto tile) { FloatTile<K>(w_row, tile, cols, out); });
}

void GetDotKernels(DotKernels* k) {
#ifdef SLUICE_X86_ROWS
  // VNNI where the AVX3 target runs on a CPU with AVX512-VNNI (Highway
  // reports that as AVX3_DL; tests that pin AVX3 get the vpmaddubsw kernels).
  const bool vnni = HWY_TARGET <= HWY_AVX3 && (hwy::SupportedTargets() & HWY_AVX3_DL) != 0;
  const DotRowsFn q8_0_rows = vnni ? X86Rows<Q8Unpack, true> : X86Rows<Q8Unpack, false>;
  const DotRowsFn q4_0_rows = vnni ? X86Rows<Q4Unpack, true> : X86Rows<Q4Unpack, false>;
  void (*const act_prep)(std::byte*, int64_t) = X86PrepActivations;
#else
  const DotRowsFn q8_0_rows = nullptr, q4_0_rows = nullptr;
  void (*const act_prep)(std::byte*, int64_t) = nullptr;
#endif
  *k = DotKernels{DotFloat<FloatKind::kF32>, DotFloat<FloatKind::kF16>, DotFloat<FloatKind::kBF16>,
                  DotQ8_0, DotQ4_0, DotQ4K, DotQ6K, q8_0_rows, q4_0_rows, act_prep};
}

}  // namespace HWY_NAMESPACE
}  // namespace sluice::engine::internal
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace sluice::engine::internal {

HWY_EXPORT(GetDotKernels);

DotKernels DotKernelsForCurrentTarget() {
  DotKernels k;
  HWY_DYNAMIC_DISPATCH(GetDotKernels)(&k);
  return k;
}

const DotKernels& BestDotKernels() {
  static const DotKernels k = DotKernelsForCurrentTarget();
  return k;
}

}  // namespace sluice::engine::internal
#endif  // HWY_ONCE
