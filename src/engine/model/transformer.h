// Transformer: the Model implementation for llama-style decoder-only
// transformers (llama, qwen2): pre-RMSNorm blocks of grouped-query attention
// with rotary position embeddings and a SwiGLU feed-forward network.
//
// The forward pass, per token batch x (n, n_embd):
//   for each layer:  h = x + Wo · Attn(RoPE(Wq·n1 + bq), RoPE(Wk·n1 + bk), Wv·n1 + bv)
//                    x = h + Wdown · (silu(Wgate·n2) ⊙ Wup·n2)
//   with n1 = RMSNorm(x)·attn_norm, n2 = RMSNorm(h)·ffn_norm
//   logits = Wout · RMSNorm(x)·output_norm
// RMSNorm (Zhang & Sennrich 2019): x / sqrt(mean(x²) + eps).
// RoPE (Su et al. 2021, "RoFormer"): dims pair up and rotate by p·θ_i with
// θ_i = base^(-2i/n_rot); llama pairs (2i, 2i+1), qwen2 (NeoX) pairs (i, i+n_rot/2).
// Attention (Vaswani et al. 2017): softmax(q·kᵀ/sqrt(head_dim)) · v, causal;
// query head h reads kv head h / (n_head / n_head_kv) (GQA, Ainslie et al. 2023).
//
// The Transformer owns the GgufFile (its memory mapping) and borrows weights
// from it in place. Immutable after Create; thread-safe.
#pragma once

#include <memory>
#include <string>

#include "base/status.h"
#include "engine/model/model.h"
#include "gguf/gguf_file.h"

namespace sluice::engine {

// Validates `file` (architecture, hyper-parameters, every tensor, tokenizer)
// and builds a model over it. `stem` names the model when general.name is absent.
StatusOr<std::shared_ptr<const Model>> CreateTransformer(gguf::GgufFile file, const std::string& stem);

}  // namespace sluice::engine
