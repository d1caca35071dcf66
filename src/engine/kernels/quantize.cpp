// QuantizeRows (quantize.h). Q8_0 and Q4_0 follow ggml's quantize_row_q8_0_ref
// and quantize_row_q4_0_ref; F16/BF16 round to nearest even like
// GGML_FP32_TO_FP16 / GGML_FP32_TO_BF16; the k-quants live in quantize_k.cpp.
#include "engine/kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/quantize_k.h"
#include "engine/kernels/weight.h"

namespace sluice::engine {
namespace {

using namespace internal;  // NOLINT: block types and conversions of this module

void QuantizeRowQ8_0(const float* x, BlockQ8_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float amax = 0.0f;
    for (int j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / ((1 << 7) - 1);
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = Fp32ToFp16(d);
    for (int j = 0; j < kQK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    x += kQK8_0;
  }
}

void QuantizeRowQ4_0(const float* x, BlockQ4_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float amax = 0.0f;  // largest magnitude, and the signed value that has it
    float max = 0.0f;
    for (int j = 0; j < kQK4_0; ++j) {
      if (amax < std::fabs(x[j])) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    }
    const float d = max / -8;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[i].d = Fp32ToFp16(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const float x0 = x[j] * id;
      const float x1 = x[kQK4_0 / 2 + j] * id;
      // ggml truncates through int8_t, then clamps to 15.
      const int xi0 = std::min(15, static_cast<int>(static_cast<int8_t>(x0 + 8.5f)));
      const int xi1 = std::min(15, static_cast<int>(static_cast<int8_t>(x1 + 8.5f)));
      y[i].qs[j] = static_cast<uint8_t>(static_cast<uint8_t>(xi0) | (static_cast<uint8_t>(xi1) << 4));
    }
    x += kQK4_0;
  }
}

}  // namespace

Status QuantizeRows(gguf::GgmlType type, const float* src, int64_t rows, int64_t cols,
                    std::vector<std::byte>* out) {
  using gguf::GgmlType;
  const gguf::GgmlTypeInfo& info = gguf::GetGgmlTypeInfo(type);
  if (!IsSupportedWeightType(type)) {
    return Status(ErrorCode::kInvalidArgument,
                  "quantize: type " + std::string(info.name) + " is not supported");
  }
  if (rows < 0 || cols <= 0 || cols % info.block_size != 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "quantize: " + std::to_string(cols) + " columns is not a positive multiple of " +
                      std::string(info.name) + "'s block size " + std::to_string(info.block_size));
  }
  const size_t row_bytes = RowBytes(type, cols);
  out->resize(static_cast<size_t>(rows) * row_bytes);
  const int64_t nb = cols / info.block_size;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = src + r * cols;
    std::byte* dst = out->data() + static_cast<size_t>(r) * row_bytes;
    switch (type) {
      case GgmlType::kF32:
        std::memcpy(dst, x, row_bytes);
        break;
      case GgmlType::kF16:
      case GgmlType::kBF16:
        for (int64_t c = 0; c < cols; ++c) {
          const uint16_t h = type == GgmlType::kF16 ? Fp32ToFp16(x[c]) : Fp32ToBf16(x[c]);
          std::memcpy(dst + 2 * c, &h, 2);
        }
        break;
      case GgmlType::kQ8_0:
        QuantizeRowQ8_0(x, reinterpret_cast<BlockQ8_0*>(dst), nb);
        break;
      case GgmlType::kQ4_0:
        QuantizeRowQ4_0(x, reinterpret_cast<BlockQ4_0*>(dst), nb);
        break;
      case GgmlType::kQ4_K:
        QuantizeRowQ4K(x, reinterpret_cast<BlockQ4K*>(dst), nb);
        break;
      case GgmlType::kQ6_K:
        QuantizeRowQ6K(x, reinterpret_cast<BlockQ6K*>(dst), nb);
        break;
      default:
        break;  // unreachable: refused above
    }
  }
  return Status::Ok();
}

}  // namespace sluice::engine
