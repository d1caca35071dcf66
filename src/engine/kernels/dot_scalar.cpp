// Scalar reference kernels for dot.h: plain loops over ggml's block layouts
// (blocks.h). Integer sums are exact; the float accumulation order is per
// block, as in ggml's ggml_vec_dot_*_generic.
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/dot.h"
#include "engine/kernels/fp16.h"

namespace sluice::engine::internal {
namespace {

template <class RowFn>
void ForEachAct(const std::byte* act, size_t act_stride, int n_act, float* out, RowFn row) {
  for (int t = 0; t < n_act; ++t) out[t] = row(act + static_cast<size_t>(t) * act_stride);
}

void DotF32(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
            float* out) {
  const float* w = reinterpret_cast<const float*>(w_row);
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const float* a = reinterpret_cast<const float*>(a_bytes);
    float sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += w[c] * a[c];
    return sum;
  });
}

template <bool kBf16>
void DotHalf(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
             float* out) {
  const uint16_t* w = reinterpret_cast<const uint16_t*>(w_row);
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const float* a = reinterpret_cast<const float*>(a_bytes);
    float sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += (kBf16 ? Bf16ToFp32(w[c]) : Fp16ToFp32(w[c])) * a[c];
    return sum;
  });
}

void DotQ8_0(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
             float* out) {
  const BlockQ8_0* w = reinterpret_cast<const BlockQ8_0*>(w_row);
  const int64_t nb = cols / kQK8_0;
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const ActQ8_0* a = reinterpret_cast<const ActQ8_0*>(a_bytes);
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
      int isum = 0;
      for (int j = 0; j < kQK8_0; ++j) isum += w[i].qs[j] * a[i].qs[j];
      sum += static_cast<float>(isum) * (Fp16ToFp32(w[i].d) * a[i].d);
    }
    return sum;
  });
}

void DotQ4_0(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
             float* out) {
  const BlockQ4_0* w = reinterpret_cast<const BlockQ4_0*>(w_row);
  const int64_t nb = cols / kQK4_0;
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const ActQ8_0* a = reinterpret_cast<const ActQ8_0*>(a_bytes);
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
      int isum = 0;
      for (int j = 0; j < kQK4_0 / 2; ++j) {
        isum += ((w[i].qs[j] & 0xF) - 8) * a[i].qs[j];
        isum += ((w[i].qs[j] >> 4) - 8) * a[i].qs[j + kQK4_0 / 2];
      }
      sum += static_cast<float>(isum) * (Fp16ToFp32(w[i].d) * a[i].d);
    }
    return sum;
  });
}

void DotQ4K(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
            float* out) {
  const BlockQ4K* w = reinterpret_cast<const BlockQ4K*>(w_row);
  const int64_t nb = cols / kQKK;
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const ActQ8K* a = reinterpret_cast<const ActQ8K*>(a_bytes);
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
      int sumi = 0;  // Σ_j sc_j · Σ q·a
      int summ = 0;  // Σ_j m_j · Σ a
      for (int j = 0; j < 8; ++j) {
        uint8_t sc, m;
        ScaleMinK4(j, w[i].scales, &sc, &m);
        const uint8_t* q = w[i].qs + 32 * (j / 2);
        const int shift = (j % 2) * 4;
        const int8_t* aq = a[i].qs + 32 * j;
        int isum = 0;
        for (int l = 0; l < 32; ++l) isum += ((q[l] >> shift) & 0xF) * aq[l];
        sumi += sc * isum;
        summ += m * (a[i].bsums[2 * j] + a[i].bsums[2 * j + 1]);
      }
      sum += Fp16ToFp32(w[i].d) * a[i].d * static_cast<float>(sumi) -
             Fp16ToFp32(w[i].dmin) * a[i].d * static_cast<float>(summ);
    }
    return sum;
  });
}

void DotQ6K(const std::byte* w_row, const std::byte* act, size_t stride, int n_act, int64_t cols,
            float* out) {
  const BlockQ6K* w = reinterpret_cast<const BlockQ6K*>(w_row);
  const int64_t nb = cols / kQKK;
  ForEachAct(act, stride, n_act, out, [&](const std::byte* a_bytes) {
    const ActQ8K* a = reinterpret_cast<const ActQ8K*>(a_bytes);
    float sum = 0;
    for (int64_t i = 0; i < nb; ++i) {
      int sumi = 0;
      for (int half = 0; half < 2; ++half) {
        const uint8_t* ql = w[i].ql + 64 * half;
        const uint8_t* qh = w[i].qh + 32 * half;
        const int8_t* sc = w[i].scales + 8 * half;
        const int8_t* aq = a[i].qs + 128 * half;
        for (int l = 0; l < 32; ++l) {
          const int is = l / 16;
          const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
          const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
          const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
          const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
          sumi += sc[is] * q1 * aq[l] + sc[is + 2] * q2 * aq[l + 32] +
                  sc[is + 4] * q3 * aq[l + 64] + sc[is + 6] * q4 * aq[l + 96];
        }
      }
      sum += Fp16ToFp32(w[i].d) * a[i].d * static_cast<float>(sumi);
    }
    return sum;
  });
}

}  // namespace

const DotKernels& ScalarDotKernels() {
  static const DotKernels k{DotF32, DotHalf<false>, DotHalf<true>, DotQ8_0, DotQ4_0, DotQ4K, DotQ6K,
                            nullptr, nullptr, nullptr};
  return k;
}

}  // namespace sluice::engine::internal
