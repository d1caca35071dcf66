#include "engine/model/kv_cache.h"

namespace sluice::engine {

void ForwardScratch::Reserve(const ModelConfig& c, int64_t n, int32_t n_ctx) {
  if (scores.empty()) scores.resize(static_cast<size_t>(int64_t{c.n_head} * n_ctx));
  if (n <= n_tokens) return;
  n_tokens = n;
  const auto rows = [n](int64_t width) { return static_cast<size_t>(n * width); };
  const int64_t q_dim = int64_t{c.n_head} * c.head_dim;
  const int64_t kv_dim = int64_t{c.n_head_kv} * c.head_dim;
  x.resize(rows(c.n_embd));
  xn.resize(rows(c.n_embd));
  q.resize(rows(q_dim));
  k.resize(rows(kv_dim));
  v.resize(rows(kv_dim));
  attn.resize(rows(q_dim));
  proj.resize(rows(c.n_embd));
  gate.resize(rows(c.n_ff));
  up.resize(rows(c.n_ff));
  rope_cos.resize(rows(c.n_rot / 2));
  rope_sin.resize(rows(c.n_rot / 2));
}

F16KvCache::F16KvCache(const ModelConfig& c, int32_t n_ctx)
    : n_layer_(c.n_layer), n_head_kv_(c.n_head_kv), head_dim_(c.head_dim), n_ctx_(n_ctx) {
  const size_t n = static_cast<size_t>(int64_t{n_layer_} * n_ctx_ * position_stride());
  // Uninitialized: pages are touched only as positions fill.
  keys_ = std::make_unique_for_overwrite<uint16_t[]>(n);
  values_ = std::make_unique_for_overwrite<uint16_t[]>(n);
  scratch_.Reserve(c, 1, n_ctx_);
}

}  // namespace sluice::engine
