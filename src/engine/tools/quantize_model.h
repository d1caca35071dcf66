// Re-encoding a GGUF model's weights into another type (`sluice quantize`).
//
// Every 2-D tensor whose name ends in ".weight" (token_embd and output
// included) is decoded to F32 and encoded as `type` (K-quants fall back to Q8_0
// for rows that are not whole 256-blocks, see encode.h), unless it is already
// stored that way; 1-D tensors (norms, biases), tensors of other ranks and
// tensors already in the target encoding are copied unchanged. All metadata is
// copied in order, except that general.file_type is set for `type` and the
// source's general.alignment is kept. Tensors are decoded one at a time; the
// writer holds the encoded output (about the output file's size).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "gguf/ggml_type.h"

namespace sluice::engine::tools {

struct QuantizeReport {
  int n_converted = 0;   // tensors re-encoded
  int n_fallback = 0;    // of which stored as Q8_0 instead of a K-quant
  int n_copied = 0;      // tensors copied unchanged (1-D, or already in the target type)
  uint64_t in_bytes = 0;   // tensor data bytes in
  uint64_t out_bytes = 0;  // tensor data bytes out
};

// Errors: the reader's (kNotFound, kInvalidArgument), kInvalidArgument for a
// source tensor of a type the kernels cannot decode (naming it), the writer's.
Status QuantizeModel(const std::string& in_path, const std::string& out_path,
                     gguf::GgmlType type, QuantizeReport* report);

}  // namespace sluice::engine::tools
