// Reading a transformer's hyper-parameters from GGUF metadata.
//
// Keys are llama.cpp's, prefixed by general.architecture ("llama.", "qwen2."):
//   embedding_length, block_count, feed_forward_length, attention.head_count,
//   context_length, attention.layer_norm_rms_epsilon        (required)
//   attention.head_count_kv (default head_count), rope.freq_base (10000),
//   attention.key_length (head_dim; default embedding_length / head_count),
//   rope.dimension_count (rotated dims; default head_dim)   (optional)
// Integers may be stored as any GGUF integer type; every value is range-checked
// (positive, divisible where the architecture needs it). Thread-safe (pure).
#pragma once

#include "base/status.h"
#include "engine/model/model.h"
#include "gguf/gguf_file.h"

namespace sluice::engine {

// The config of `file`, without n_vocab and tied_embeddings (those come from
// the tensors). `stem` names the model when general.name is absent.
// Errors: kInvalidArgument naming the architecture or the key and value.
StatusOr<ModelConfig> ReadModelConfig(const gguf::GgufFile& file, const std::string& stem);

}  // namespace sluice::engine
