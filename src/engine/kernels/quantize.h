// F32 → block formats, bit-exact with ggml's reference quantizers, so files we
// write load in other engines and theirs in ours.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "gguf/ggml_type.h"

namespace sluice::engine {

// Quantizes `rows` rows of `cols` floats into `type` (any supported weight
// type). Fails (kInvalidArgument) when cols is not a multiple of the block size.
Status QuantizeRows(gguf::GgmlType type, const float* src, int64_t rows, int64_t cols,
                    std::vector<std::byte>* out);

}  // namespace sluice::engine
