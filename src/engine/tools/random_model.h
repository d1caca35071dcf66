// Random-weight GGUF models with a real model's layout: the metadata a
// converted llama / qwen2 file carries, the standard tensor names and ggml
// shapes, a synthetic tokenizer of exactly n_vocab tokens. For tests (golden
// logits), benchmarks at a real model's shape, and demos without downloads.
//
// Weights: 2-D tensors ~ N(0, scale²) in `type` (K-quants fall back to Q8_0
// for rows that are not a whole number of 256-blocks, see encode.h); norm
// weights 1 + N(0, 0.1²) and qwen2's Q/K/V biases N(0, 0.1²), in F32. The
// values depend only on (seed, tensor name), so a file is reproducible.
// Tensors are generated and encoded one at a time; the writer holds the
// encoded bytes (about the size of the output file) until it writes them.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "gguf/ggml_type.h"

namespace sluice::engine::tools {

struct RandomModelOptions {
  std::string arch = "llama";  // "llama" | "qwen2"
  std::string name;            // general.name; default "random-<arch>"
  int32_t n_vocab = 512;
  int32_t n_embd = 64;
  int32_t n_layer = 2;
  int32_t n_head = 4;
  int32_t n_head_kv = 0;  // 0: as many as n_head (no GQA)
  int32_t n_ff = 128;
  int32_t context_length = 2048;
  bool tied = false;  // no output.weight: logits use token_embd
  gguf::GgmlType type = gguf::GgmlType::kF32;
  uint64_t seed = 1;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
  float scale = 0.02f;  // standard deviation of 2-D weights
};

// Checks the shape (positive sizes, n_head % n_head_kv == 0, n_embd %
// n_head == 0, even head_dim, block-size multiples) and writes `path`.
// Errors: kInvalidArgument naming the bad option; the writer's errors.
Status WriteRandomModel(const RandomModelOptions& options, const std::string& path);

}  // namespace sluice::engine::tools
