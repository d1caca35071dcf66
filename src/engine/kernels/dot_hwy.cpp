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

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/kernels/dot_hwy.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

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
  *k = DotKernels{DotFloat<FloatKind::kF32>, DotFloat<FloatKind::kF16>, DotFloat<FloatKind::kBF16>,
                  DotQ8_0, DotQ4_0, DotQ4K, DotQ6K};
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
