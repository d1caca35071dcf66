// Encoding F32 weights into a GGUF tensor type for the model tools (random
// model writer, quantizer), with llama.cpp's rule for K-quants: a tensor whose
// rows are not a whole number of 256-element super-blocks cannot be stored as
// Q4_K / Q6_K and falls back to Q8_0 (Qwen2.5-0.5B's 896-wide rows are such).
// Thread-safe, pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "gguf/ggml_type.h"

namespace sluice::engine::tools {

// The weight types the tools write: f32 f16 bf16 q8_0 q4_0 q4_k q6_k (case-insensitive).
std::optional<gguf::GgmlType> ParseWeightType(std::string_view name);
// "f32", "q4_k", … (lower case, as the flags spell them).
std::string_view WeightTypeFlagName(gguf::GgmlType type);

// The type a [rows][cols] tensor asked to be `wanted` is stored as: `wanted`,
// or Q8_0 when `wanted` is a K-quant and cols % 256 != 0.
gguf::GgmlType StoredType(gguf::GgmlType wanted, int64_t cols);

// src: [rows][cols] F32 → `type` bytes (via the kernels' QuantizeRows).
Status EncodeRows(gguf::GgmlType type, const float* src, int64_t rows, int64_t cols,
                  std::vector<std::byte>* out);

// llama.cpp's general.file_type number for a model whose 2-D weights are `type`.
uint32_t FileTypeNumber(gguf::GgmlType type);

}  // namespace sluice::engine::tools
