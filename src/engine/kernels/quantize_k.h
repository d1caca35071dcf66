// ggml's reference quantizers of the k-quant super-blocks (256 elements),
// internal to engine/kernels: quantize_row_q4_K_ref and quantize_row_q6_K_ref.
#pragma once

#include <cstdint>

#include "engine/kernels/blocks.h"

namespace sluice::engine::internal {

// x: [nb * 256] → y: [nb].
void QuantizeRowQ4K(const float* x, BlockQ4K* y, int64_t nb);
void QuantizeRowQ6K(const float* x, BlockQ6K* y, int64_t nb);

}  // namespace sluice::engine::internal
