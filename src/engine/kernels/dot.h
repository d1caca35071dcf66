// Row × token-tile dot-product kernels behind MatMul, internal to
// engine/kernels. Two implementations share this table: a scalar reference
// (dot_scalar.cpp) and the Highway one (dot_hwy.cpp, runtime dispatch); tests
// check one against the other.
//
// A kernel computes out[t] = Σ_c W_row[c] · x_t[c] for t < n_act (<= kTokenTile)
// where W_row is one weight row in its own block format and x_t is token t's
// activation row, already in the format ActivationKind() names for the type,
// at act + t·act_stride bytes.
//
// A rows kernel (optional, nullptr where a target has none) computes a
// register tile of several weight rows at once, so each loaded weight block
// serves every token of the tile and each activation block every row:
// out[r·kTokenTile + t] = Σ_c W_r[c] · x_t[c] for r < n_rows (<= kRowTile),
// t < n_act (<= kTokenTile), where row r starts at w + r·row_bytes. Its
// activation rows are first passed through the table's rows_act_prep (when
// not null), which may reorder each block's quants in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/kernels/thread_pool.h"
#include "engine/kernels/weight.h"
#include "gguf/ggml_type.h"

namespace sluice::engine::internal {

inline constexpr int kTokenTile = 4;
inline constexpr int kRowTile = 8;

using DotFn = void (*)(const std::byte* w_row, const std::byte* act, size_t act_stride, int n_act,
                       int64_t cols, float* out);

using DotRowsFn = void (*)(const std::byte* w, size_t row_bytes, int n_rows, const std::byte* act,
                           size_t act_stride, int n_act, int64_t cols, float* out);

struct DotKernels {
  DotFn f32, f16, bf16, q8_0, q4_0, q4_k, q6_k;
  DotRowsFn q8_0_rows, q4_0_rows;  // nullptr: MatMul runs the row kernels one row at a time
  // Applied to each Q8_0 activation row (cols elements) before rows kernels run.
  void (*rows_act_prep)(std::byte* act_row, int64_t cols);
};

enum class ActKind { kF32, kQ8_0, kQ8K };

// The activation format the integer kernels expect for weights of `type`.
ActKind ActivationKind(gguf::GgmlType type);
// Bytes of one activation row of `cols` elements in `kind`.
size_t ActRowBytes(ActKind kind, int64_t cols);
// x: [cols] floats → one activation row (cols a multiple of the block size).
void QuantizeActivationRow(ActKind kind, const float* x, int64_t cols, std::byte* out);

// The kernel of `type` from `k`, or nullptr when the type is not supported.
DotFn SelectDot(const DotKernels& k, gguf::GgmlType type);
// The rows kernel of `type`, or nullptr when `k` has none for it.
DotRowsFn SelectDotRows(const DotKernels& k, gguf::GgmlType type);

// MatMul (matmul.h) with an explicit kernel table.
void MatMulWith(const DotKernels& kernels, const Weight& w, const float* x, int64_t n_tokens,
                float* y, ThreadPool& pool);

const DotKernels& ScalarDotKernels();
const DotKernels& BestDotKernels();  // Highway, best target for this CPU (cached)
// Highway kernels for the target dispatch picks now (tests switch targets
// with hwy::SetSupportedTargetsForTest).
DotKernels DotKernelsForCurrentTarget();

}  // namespace sluice::engine::internal
