// DequantizeRow (matmul.h): block formats → F32, bit-exact with ggml's
// dequantize_row_* (same operations in the same order, no FMA contraction:
// the project compiles as ISO C++, where GCC keeps -ffp-contract=off).
#include <cstring>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/matmul.h"

namespace sluice::engine {
namespace {

using namespace internal;  // NOLINT: block types and conversions of this module

void DequantizeQ8_0(const BlockQ8_0* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    for (int j = 0; j < kQK8_0; ++j) y[j] = static_cast<float>(b[i].qs[j]) * d;
    y += kQK8_0;
  }
}

void DequantizeQ4_0(const BlockQ4_0* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const int x0 = (b[i].qs[j] & 0x0F) - 8;
      const int x1 = (b[i].qs[j] >> 4) - 8;
      y[j] = static_cast<float>(x0) * d;
      y[j + kQK4_0 / 2] = static_cast<float>(x1) * d;
    }
    y += kQK4_0;
  }
}

void DequantizeQ4K(const BlockQ4K* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* q = b[i].qs;
    const float d = Fp16ToFp32(b[i].d);
    const float min = Fp16ToFp32(b[i].dmin);
    for (int g = 0; g < 4; ++g) {
      uint8_t sc, m;
      ScaleMinK4(2 * g, b[i].scales, &sc, &m);
      const float d1 = d * sc, m1 = min * m;
      ScaleMinK4(2 * g + 1, b[i].scales, &sc, &m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * static_cast<float>(q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
      q += 32;
    }
  }
}

void DequantizeQ6K(const BlockQ6K* b, int64_t nb, float* y) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = Fp16ToFp32(b[i].d);
    const uint8_t* ql = b[i].ql;
    const uint8_t* qh = b[i].qh;
    const int8_t* sc = b[i].scales;
    for (int half = 0; half < 2; ++half) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * static_cast<float>(q1);
        y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
        y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
        y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

}  // namespace

void DequantizeRow(const Weight& w, int64_t row, float* out) {
  using gguf::GgmlType;
  const std::byte* src = w.data + static_cast<size_t>(row) * RowBytes(w.type, w.cols);
  switch (w.type) {
    case GgmlType::kF32:
      std::memcpy(out, src, static_cast<size_t>(w.cols) * sizeof(float));
      return;
    case GgmlType::kF16:
    case GgmlType::kBF16: {
      const bool bf16 = w.type == GgmlType::kBF16;
      for (int64_t c = 0; c < w.cols; ++c) {
        uint16_t h;
        std::memcpy(&h, src + 2 * c, 2);
        out[c] = bf16 ? Bf16ToFp32(h) : Fp16ToFp32(h);
      }
      return;
    }
    case GgmlType::kQ8_0:
      DequantizeQ8_0(reinterpret_cast<const BlockQ8_0*>(src), w.cols / kQK8_0, out);
      return;
    case GgmlType::kQ4_0:
      DequantizeQ4_0(reinterpret_cast<const BlockQ4_0*>(src), w.cols / kQK4_0, out);
      return;
    case GgmlType::kQ4_K:
      DequantizeQ4K(reinterpret_cast<const BlockQ4K*>(src), w.cols / kQKK, out);
      return;
    case GgmlType::kQ6_K:
      DequantizeQ6K(reinterpret_cast<const BlockQ6K*>(src), w.cols / kQKK, out);
      return;
    default:
      // Unsupported types are refused at load (IsSupportedWeightType); a
      // caller that skips that check gets zeros rather than garbage.
      std::memset(out, 0, static_cast<size_t>(w.cols) * sizeof(float));
      return;
  }
}

}  // namespace sluice::engine
