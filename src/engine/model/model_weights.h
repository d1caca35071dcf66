// The tensors of a llama/qwen2 GGUF, found by llama.cpp's standard names and
// checked against the config at load, so the forward pass never fails.
//
// Matrices are Weight views into the mapping (not copied; they live as long
// as the GgufFile). Vectors (norm scales, biases) are small and converted to
// F32 copies at load. Shapes in ggml order (ne[0] = cols first):
//   token_embd.weight          [n_embd, n_vocab]
//   blk.N.attn_norm.weight     [n_embd]
//   blk.N.attn_q.weight        [n_embd, n_head·head_dim]     (+ optional .bias [n_head·head_dim])
//   blk.N.attn_k.weight        [n_embd, n_head_kv·head_dim]  (+ optional .bias)
//   blk.N.attn_v.weight        [n_embd, n_head_kv·head_dim]  (+ optional .bias)
//   blk.N.attn_output.weight   [n_head·head_dim, n_embd]
//   blk.N.ffn_norm.weight      [n_embd]
//   blk.N.ffn_gate.weight      [n_embd, n_ff]
//   blk.N.ffn_up.weight        [n_embd, n_ff]
//   blk.N.ffn_down.weight      [n_ff, n_embd]
//   output_norm.weight         [n_embd]
//   output.weight              [n_embd, n_vocab]   (absent: tied to token_embd)
// Immutable after LoadModelWeights; thread-safe to read.
#pragma once

#include <cstdint>
#include <vector>

#include "base/status.h"
#include "engine/kernels/weight.h"
#include "engine/model/model.h"
#include "gguf/gguf_file.h"

namespace sluice::engine {

struct LayerWeights {
  std::vector<float> attn_norm;  // (n_embd)
  Weight wq, wk, wv, wo;
  std::vector<float> bq, bk, bv;  // empty when the file has no bias
  std::vector<float> ffn_norm;    // (n_embd)
  Weight w_gate, w_up, w_down;
};

struct ModelWeights {
  Weight token_embd;  // (n_vocab, n_embd)
  std::vector<LayerWeights> layers;
  std::vector<float> output_norm;  // (n_embd)
  Weight output;                   // (n_vocab, n_embd); == token_embd when tied
  uint64_t bytes = 0;              // total bytes of all tensors used
};

// Finds and checks every tensor. Sets config->n_vocab (token_embd's rows) and
// config->tied_embeddings. Errors (kInvalidArgument) name the tensor: missing,
// wrong shape (expected vs found), unsupported type.
StatusOr<ModelWeights> LoadModelWeights(const gguf::GgufFile& file, ModelConfig* config);

}  // namespace sluice::engine
