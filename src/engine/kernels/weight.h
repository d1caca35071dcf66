// Weight: a read-only view of one 2-D tensor in ggml layout, usually straight
// into the memory-mapped GGUF file (never copied).
//
// Shape: `rows` × `cols`, row-major; ggml's ne[0] (fastest-varying) is `cols`
// and ne[1] is `rows`. For a linear layer y = W·x, rows = output features and
// cols = input features. A row is `cols / block_size` blocks of `type`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/status.h"
#include "gguf/ggml_type.h"

namespace sluice::engine {

struct Weight {
  gguf::GgmlType type = gguf::GgmlType::kF32;
  const std::byte* data = nullptr;  // rows * RowBytes(type, cols) bytes
  int64_t rows = 0;
  int64_t cols = 0;
};

// Bytes of one row of `cols` elements of `type` (cols a multiple of the block size).
size_t RowBytes(gguf::GgmlType type, int64_t cols);

// True for the weight types the engine computes with:
// F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K.
bool IsSupportedWeightType(gguf::GgmlType type);

// The load-time check MatMul and DequantizeRow rely on: a supported type,
// rows >= 1, cols >= 1 and a multiple of the type's block size, data non-null.
// Fails with kInvalidArgument naming the problem (the caller adds the tensor name).
Status CheckWeight(const Weight& w);

}  // namespace sluice::engine
