// MatMul (matmul.h): quantizes the activations once, then walks the weight in
// blocks of rows, each row against tiles of kTokenTile tokens, so a weight
// row is loaded from memory once and reused from cache by every token tile.
// Where the kernel table has a rows kernel for the type, kRowTile rows are
// computed together (a kRowTile × kTokenTile register tile).
#include "engine/kernels/matmul.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/kernels/blocks.h"
#include "engine/kernels/dot.h"

namespace sluice::engine {
namespace internal {

ActKind ActivationKind(gguf::GgmlType type) {
  switch (type) {
    case gguf::GgmlType::kQ8_0:
    case gguf::GgmlType::kQ4_0:
      return ActKind::kQ8_0;
    case gguf::GgmlType::kQ4_K:
    case gguf::GgmlType::kQ6_K:
      return ActKind::kQ8K;
    default:
      return ActKind::kF32;
  }
}

size_t ActRowBytes(ActKind kind, int64_t cols) {
  switch (kind) {
    case ActKind::kQ8_0:
      return static_cast<size_t>(cols / kQK8_0) * sizeof(ActQ8_0);
    case ActKind::kQ8K:
      return static_cast<size_t>(cols / kQKK) * sizeof(ActQ8K);
    case ActKind::kF32:
      break;
  }
  return static_cast<size_t>(cols) * sizeof(float);
}

void QuantizeActivationRow(ActKind kind, const float* x, int64_t cols, std::byte* out) {
  switch (kind) {
    case ActKind::kF32:
      std::memcpy(out, x, static_cast<size_t>(cols) * sizeof(float));
      return;
    case ActKind::kQ8_0: {  // as ggml's quantize_row_q8_0_ref, with a float scale
      ActQ8_0* y = reinterpret_cast<ActQ8_0*>(out);
      for (int64_t i = 0; i < cols / kQK8_0; ++i, x += kQK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < kQK8_0; ++j) amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0 ? 1.0f / d : 0.0f;
        y[i].d = d;
        for (int j = 0; j < kQK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(NearestInt(x[j] * id));
      }
      return;
    }
    case ActKind::kQ8K: {  // as ggml's quantize_row_q8_K_ref
      ActQ8K* y = reinterpret_cast<ActQ8K*>(out);
      for (int64_t i = 0; i < cols / kQKK; ++i, x += kQKK) {
        float max = 0.0f, amax = 0.0f;
        for (int j = 0; j < kQKK; ++j) {
          if (std::fabs(x[j]) > amax) {
            amax = std::fabs(x[j]);
            max = x[j];
          }
        }
        if (amax == 0.0f) {
          std::memset(&y[i], 0, sizeof(y[i]));
          continue;
        }
        const float iscale = -127.0f / max;
        for (int j = 0; j < kQKK; ++j) {
          y[i].qs[j] = static_cast<int8_t>(std::min(127, NearestInt(iscale * x[j])));
        }
        for (int s = 0; s < kQKK / 16; ++s) {
          int sum = 0;
          for (int j = 0; j < 16; ++j) sum += y[i].qs[16 * s + j];
          y[i].bsums[s] = static_cast<int16_t>(sum);
        }
        y[i].d = 1 / iscale;
      }
      return;
    }
  }
}

DotFn SelectDot(const DotKernels& k, gguf::GgmlType type) {
  using gguf::GgmlType;
  switch (type) {
    case GgmlType::kF32: return k.f32;
    case GgmlType::kF16: return k.f16;
    case GgmlType::kBF16: return k.bf16;
    case GgmlType::kQ8_0: return k.q8_0;
    case GgmlType::kQ4_0: return k.q4_0;
    case GgmlType::kQ4_K: return k.q4_k;
    case GgmlType::kQ6_K: return k.q6_k;
    default: return nullptr;
  }
}

DotRowsFn SelectDotRows(const DotKernels& k, gguf::GgmlType type) {
  switch (type) {
    case gguf::GgmlType::kQ8_0: return k.q8_0_rows;
    case gguf::GgmlType::kQ4_0: return k.q4_0_rows;
    default: return nullptr;
  }
}

// MatMul with an explicit kernel table (tests run the scalar and SIMD ones).
void MatMulWith(const DotKernels& kernels, const Weight& w, const float* x, int64_t n_tokens,
                float* y, ThreadPool& pool) {
  if (n_tokens <= 0 || w.rows <= 0) return;
  const DotFn dot = SelectDot(kernels, w.type);
  // Rows kernels for the prompt path only: decode (one token) is a memory-bound
  // stream of one row at a time, which the one-row kernels already do best.
  const DotRowsFn dot_rows = n_tokens > 1 ? SelectDotRows(kernels, w.type) : nullptr;
  assert(dot != nullptr && CheckWeight(w).ok() && "weights are checked at load");
  if (dot == nullptr) {
    std::fill(y, y + n_tokens * w.rows, 0.0f);
    return;
  }
  const ActKind kind = ActivationKind(w.type);
  const size_t act_stride = ActRowBytes(kind, w.cols);
  // Scratch reused across calls on this thread: no allocation once warm.
  thread_local std::vector<std::byte> act_buffer;
  if (act_buffer.size() < act_stride * static_cast<size_t>(n_tokens)) {
    act_buffer.resize(act_stride * static_cast<size_t>(n_tokens));
  }
  std::byte* act = act_buffer.data();  // (n_tokens, act_stride bytes)
  if (n_tokens == 1) {
    QuantizeActivationRow(kind, x, w.cols, act);
  } else {
    const auto prep = dot_rows != nullptr ? kernels.rows_act_prep : nullptr;
    pool.ParallelFor(n_tokens, 4, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        std::byte* row = act + static_cast<size_t>(t) * act_stride;
        QuantizeActivationRow(kind, x + t * w.cols, w.cols, row);
        if (prep != nullptr) prep(row, w.cols);
      }
    });
  }

  const size_t row_bytes = RowBytes(w.type, w.cols);
  const int64_t rows = w.rows;
  // Rows per cache block: the weight rows of one block stay in L2 while every
  // token tile passes over them.
  constexpr int64_t kRowBlock = 16;
  pool.ParallelFor(rows, 16, [&](int64_t r0, int64_t r1) {
    float out[kRowTile * kTokenTile];  // (kRowTile, kTokenTile)
    for (int64_t rb = r0; rb < r1; rb += kRowBlock) {
      const int64_t re = std::min(r1, rb + kRowBlock);
      for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokenTile) {
        const int nt = static_cast<int>(std::min<int64_t>(kTokenTile, n_tokens - t0));
        const std::byte* a = act + static_cast<size_t>(t0) * act_stride;
        if (dot_rows != nullptr) {
          for (int64_t r = rb; r < re; r += kRowTile) {
            const int nr = static_cast<int>(std::min<int64_t>(kRowTile, re - r));
            dot_rows(w.data + static_cast<size_t>(r) * row_bytes, row_bytes, nr, a, act_stride, nt,
                     w.cols, out);
            for (int i = 0; i < nr; ++i) {
              for (int t = 0; t < nt; ++t) y[(t0 + t) * rows + r + i] = out[i * kTokenTile + t];
            }
          }
          continue;
        }
        for (int64_t r = rb; r < re; ++r) {
          dot(w.data + static_cast<size_t>(r) * row_bytes, a, act_stride, nt, w.cols, out);
          for (int t = 0; t < nt; ++t) y[(t0 + t) * rows + r] = out[t];
        }
      }
    }
  });
}

}  // namespace internal

void MatMul(const Weight& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool) {
  internal::MatMulWith(internal::BestDotKernels(), w, x, n_tokens, y, pool);
}

}  // namespace sluice::engine
