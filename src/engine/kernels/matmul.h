// Matrix products of a weight (any supported type, used in place) with F32
// activations. Quantized weights are multiplied directly: activations are
// quantized on the fly (Q8_0 / Q8_K blocks) and dot products run on the
// integer blocks, vectorized with Highway (runtime dispatch).
#pragma once

#include <cstdint>

#include "engine/kernels/thread_pool.h"
#include "engine/kernels/weight.h"

namespace sluice::engine {

// x: [n_tokens][w.cols], y: [n_tokens][w.rows];  y[t][r] = Σ_c W[r][c]·x[t][c].
// n_tokens == 1 is the decode path (matrix–vector); larger n is the prompt path.
void MatMul(const Weight& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool);

// Row `row` of `w` as F32 (embedding lookup, tests): out[w.cols].
void DequantizeRow(const Weight& w, int64_t row, float* out);

}  // namespace sluice::engine
