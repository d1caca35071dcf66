// Vector helpers for attention over an F16 KV cache and element-wise ops.
// F16 is IEEE binary16 stored as uint16_t bits (ggml_fp16_t); conversions
// round to nearest even, like ggml's. All functions are pure, thread-safe,
// borrow their pointers only for the call, and accept n == 0. Vectorized with
// Highway (runtime dispatch); inputs need no particular alignment.
#pragma once

#include <cstdint>

namespace sluice::engine {

// y[i] = fp16(x[i]) for i in [0, n).
void F32ToF16(const float* x, uint16_t* y, int64_t n);

// y[i] = fp32(x[i]) for i in [0, n) (exact).
void F16ToF32(const uint16_t* x, float* y, int64_t n);

// Σ fp32(a[i]) · b[i]  (e.g. q · k over an F16 key row).
float DotF16F32(const uint16_t* a, const float* b, int64_t n);

// y[i] += a · fp32(x[i])  (e.g. accumulating softmax-weighted F16 value rows).
void AxpyF16(float a, const uint16_t* x, float* y, int64_t n);

// Σ a[i] · b[i].
float DotF32(const float* a, const float* b, int64_t n);

}  // namespace sluice::engine
