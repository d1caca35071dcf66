// F16KvCache: the contiguous KV cache of one sequence, plus the scratch
// buffers the forward pass works in (so decoding allocates nothing).
//
// Layout: keys and values are each one array of F16 (IEEE binary16 bits),
//   [n_layer][n_ctx][n_head_kv][head_dim]
// so position p of layer l starts at ((l·n_ctx + p)·n_head_kv)·head_dim and a
// position's kv heads are adjacent. Keys are stored after RoPE. Memory is
// reserved at construction and touched only as positions fill.
//
// Not thread-safe: one Forward at a time per cache.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/model/model.h"

namespace sluice::engine {

// Work buffers of one forward pass over up to `n_tokens` tokens. Shapes are
// per batch: (n_tokens, width) row-major.
struct ForwardScratch {
  int64_t n_tokens = 0;       // rows the buffers below hold
  std::vector<float> x;       // (n, n_embd)       residual stream
  std::vector<float> xn;      // (n, n_embd)       normed input of a block
  std::vector<float> q;       // (n, n_head·head_dim)
  std::vector<float> k;       // (n, n_head_kv·head_dim)
  std::vector<float> v;       // (n, n_head_kv·head_dim)
  std::vector<float> attn;    // (n, n_head·head_dim)  attention output
  std::vector<float> proj;    // (n, n_embd)       attn_output / ffn_down result
  std::vector<float> gate;    // (n, n_ff)
  std::vector<float> up;      // (n, n_ff)
  std::vector<float> rope_cos;  // (n, n_rot/2)
  std::vector<float> rope_sin;  // (n, n_rot/2)
  std::vector<float> scores;  // (n_head, n_ctx)   one attention row per head

  // Grows the per-token buffers to hold `n` tokens (never shrinks).
  void Reserve(const ModelConfig& c, int64_t n, int32_t n_ctx);
};

class F16KvCache final : public KvCache {
 public:
  // Room for n_ctx positions of a model with config `c`; scratch for one token.
  F16KvCache(const ModelConfig& c, int32_t n_ctx);

  int32_t capacity() const override { return n_ctx_; }
  int32_t size() const override { return size_; }
  void Truncate(int32_t n) override {
    if (n >= 0 && n < size_) size_ = n;
  }

  // True when this cache has the geometry of config `c` (same model shape).
  bool Fits(const ModelConfig& c) const {
    return c.n_layer == n_layer_ && c.n_head_kv == n_head_kv_ && c.head_dim == head_dim_;
  }
  // (n_head_kv, head_dim) keys / values of `layer` at position `pos`.
  uint16_t* key(int32_t layer, int32_t pos) { return keys_.get() + Offset(layer, pos); }
  uint16_t* value(int32_t layer, int32_t pos) { return values_.get() + Offset(layer, pos); }
  const uint16_t* key(int32_t layer, int32_t pos) const { return keys_.get() + Offset(layer, pos); }
  const uint16_t* value(int32_t layer, int32_t pos) const {
    return values_.get() + Offset(layer, pos);
  }
  // Elements between consecutive positions of one layer.
  int64_t position_stride() const { return int64_t{n_head_kv_} * head_dim_; }

  void set_size(int32_t n) { size_ = n; }
  ForwardScratch& scratch() { return scratch_; }

 private:
  int64_t Offset(int32_t layer, int32_t pos) const {
    return (int64_t{layer} * n_ctx_ + pos) * position_stride();
  }

  int32_t n_layer_;
  int32_t n_head_kv_;
  int32_t head_dim_;
  int32_t n_ctx_;
  int32_t size_ = 0;
  std::unique_ptr<uint16_t[]> keys_;    // [n_layer][n_ctx][n_head_kv][head_dim]
  std::unique_ptr<uint16_t[]> values_;  // same
  ForwardScratch scratch_;
};

}  // namespace sluice::engine
