#include "engine/model/transformer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "engine/kernels/matmul.h"
#include "engine/kernels/vec.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model_config.h"
#include "engine/model/model_weights.h"
#include "tokenizer/tokenizer_gguf.h"

namespace sluice::engine {
namespace {

// Tokens per internal batch: bounds scratch memory for long prompts.
constexpr int64_t kMaxBatch = 512;
// Attention with fewer multiply-adds than this runs on the calling thread.
constexpr int64_t kInlineAttentionWork = int64_t{1} << 15;

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

// y = x / sqrt(mean(x²) + eps) ⊙ w over n floats (x and y may alias).
void RmsNorm(const float* x, const float* w, int64_t n, float eps, float* y) {
  const double sum = DotF32(x, x, n);
  const float scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + double{eps}));
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] * scale * w[i];
}

// y[t][i] += b[i] for each of n rows of `width`.
void AddBias(const std::vector<float>& b, int64_t n, float* y) {
  if (b.empty()) return;
  const int64_t width = static_cast<int64_t>(b.size());
  for (int64_t t = 0; t < n; ++t) {
    float* row = y + t * width;
    for (int64_t i = 0; i < width; ++i) row[i] += b[static_cast<size_t>(i)];
  }
}

// y[i] += x[i].
void AddInPlace(const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

// Rotates the first n_rot dims of each of n_heads heads (head_dim apart) of v
// by the angles whose cos/sin are given (n_rot/2 each).
void Rope(RopeKind kind, int32_t n_heads, int32_t head_dim, int32_t n_rot, const float* cos,
          const float* sin, float* v) {
  const int32_t half = n_rot / 2;
  for (int32_t h = 0; h < n_heads; ++h) {
    float* x = v + int64_t{h} * head_dim;
    for (int32_t i = 0; i < half; ++i) {
      const int32_t i0 = kind == RopeKind::kNormal ? 2 * i : i;
      const int32_t i1 = kind == RopeKind::kNormal ? 2 * i + 1 : i + half;
      const float a = x[i0];
      const float b = x[i1];
      x[i0] = a * cos[i] - b * sin[i];
      x[i1] = a * sin[i] + b * cos[i];
    }
  }
}

// What one attention ParallelFor needs; passed by reference so the
// std::function wrapping the lambda stays within its small-object buffer
// (no allocation per call).
struct AttentionTask {
  const ModelConfig* config;
  F16KvCache* cache;
  ForwardScratch* scratch;
  int32_t layer;
  int32_t pos0;  // position of the batch's first token
  int64_t n;     // tokens in the batch
};

// Causal attention for query heads [h_begin, h_end) of every token in the
// batch; keys/values of the batch are already in the cache.
void AttendHeads(const AttentionTask& task, int64_t h_begin, int64_t h_end) {
  const ModelConfig& c = *task.config;
  ForwardScratch& s = *task.scratch;
  const int64_t hd = c.head_dim;
  const int64_t q_dim = int64_t{c.n_head} * hd;
  const int32_t group = c.n_head / c.n_head_kv;
  const int64_t stride = task.cache->position_stride();
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  for (int64_t h = h_begin; h < h_end; ++h) {
    const int64_t kvh = h / group;
    const uint16_t* keys = task.cache->key(task.layer, 0) + kvh * hd;
    const uint16_t* values = task.cache->value(task.layer, 0) + kvh * hd;
    float* scores = s.scores.data() + h * task.cache->capacity();  // (n_kv)
    for (int64_t t = 0; t < task.n; ++t) {
      const int64_t n_kv = task.pos0 + t + 1;
      const float* q = s.q.data() + t * q_dim + h * hd;  // (head_dim)
      float* out = s.attn.data() + t * q_dim + h * hd;   // (head_dim)
      float max_score = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < n_kv; ++j) {
        scores[j] = DotF16F32(keys + j * stride, q, hd) * scale;
        max_score = std::max(max_score, scores[j]);
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < n_kv; ++j) {
        scores[j] = std::exp(scores[j] - max_score);
        sum += scores[j];
      }
      const float inv_sum = 1.0f / sum;
      std::fill(out, out + hd, 0.0f);
      for (int64_t j = 0; j < n_kv; ++j) AxpyF16(scores[j] * inv_sum, values + j * stride, out, hd);
    }
  }
}

class Transformer final : public Model {
 public:
  Transformer(gguf::GgufFile file, ModelConfig config, ModelWeights weights,
              std::shared_ptr<const tokenizer::Tokenizer> tok, std::string chat_template)
      : file_(std::move(file)),
        config_(std::move(config)),
        weights_(std::move(weights)),
        tokenizer_(std::move(tok)),
        chat_template_(std::move(chat_template)) {
    // θ_i = base^(-2i/n_rot)
    inv_freq_.resize(static_cast<size_t>(config_.n_rot / 2));
    for (size_t i = 0; i < inv_freq_.size(); ++i) {
      inv_freq_[i] = std::pow(double{config_.rope_freq_base},
                              -2.0 * static_cast<double>(i) / static_cast<double>(config_.n_rot));
    }
  }

  const ModelConfig& config() const override { return config_; }
  const tokenizer::Tokenizer& tokenizer() const override { return *tokenizer_; }
  std::shared_ptr<const tokenizer::Tokenizer> shared_tokenizer() const override { return tokenizer_; }
  const std::string& chat_template() const override { return chat_template_; }
  uint64_t weight_bytes() const override { return weights_.bytes; }

  // n_ctx <= 0 or above the trained context means the trained context.
  std::unique_ptr<KvCache> NewCache(int32_t n_ctx) const override {
    if (n_ctx <= 0 || n_ctx > config_.context_length) n_ctx = config_.context_length;
    return std::make_unique<F16KvCache>(config_, n_ctx);
  }

  Status Forward(std::span<const int32_t> tokens, KvCache& cache, ThreadPool& pool,
                 std::span<float> logits) const override {
    auto* kv = dynamic_cast<F16KvCache*>(&cache);
    if (kv == nullptr || !kv->Fits(config_)) {
      return Invalid("forward: the KV cache was not made by this model");
    }
    const int64_t n = static_cast<int64_t>(tokens.size());
    const int64_t n_vocab = config_.n_vocab;
    const bool all_logits = n > 1 && static_cast<int64_t>(logits.size()) == n * n_vocab;
    if (!logits.empty() && !all_logits && static_cast<int64_t>(logits.size()) != n_vocab) {
      return Invalid("forward: logits has " + std::to_string(logits.size()) +
                     " floats; expected 0, " + std::to_string(n_vocab) + " (n_vocab) or " +
                     std::to_string(n * n_vocab) + " (n_tokens * n_vocab)");
    }
    SLUICE_RETURN_IF_ERROR(CheckTokens(tokens, *kv));
    Run(tokens, *kv, pool, logits.empty() ? nullptr : logits.data(), all_logits, nullptr);
    return Status::Ok();
  }

  StatusOr<std::vector<float>> Embed(std::span<const int32_t> tokens, ThreadPool& pool) const override {
    if (tokens.size() > static_cast<size_t>(config_.context_length)) {
      return Invalid("embed: " + std::to_string(tokens.size()) +
                     " tokens exceed the context length " + std::to_string(config_.context_length));
    }
    F16KvCache cache(config_, std::max<int32_t>(1, static_cast<int32_t>(tokens.size())));
    SLUICE_RETURN_IF_ERROR(CheckTokens(tokens, cache));
    std::vector<float> pooled(static_cast<size_t>(config_.n_embd), 0.0f);
    Run(tokens, cache, pool, nullptr, false, pooled.data());
    double norm = 0.0;
    for (float& v : pooled) {
      v /= static_cast<float>(tokens.size());
      norm += double{v} * double{v};
    }
    if (norm > 0.0) {
      const float inv = static_cast<float>(1.0 / std::sqrt(norm));
      for (float& v : pooled) v *= inv;
    }
    return pooled;
  }

 private:
  Status CheckTokens(std::span<const int32_t> tokens, const F16KvCache& cache) const {
    if (tokens.empty()) return Invalid("forward: no tokens");
    const int64_t n = static_cast<int64_t>(tokens.size());
    if (n > int64_t{cache.capacity()} - cache.size()) {
      return Invalid("forward: " + std::to_string(n) + " tokens at position " +
                     std::to_string(cache.size()) + " do not fit in a context of " +
                     std::to_string(cache.capacity()) + " positions");
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i] < 0 || tokens[i] >= config_.n_vocab) {
        return Invalid("forward: token #" + std::to_string(i) + " has id " +
                       std::to_string(tokens[i]) + ", outside the vocabulary [0, " +
                       std::to_string(config_.n_vocab) + ")");
      }
    }
    return Status::Ok();
  }

  // Runs every token (validated) through the model in batches of at most
  // kMaxBatch. logits: null, (n_vocab) for the last token, or (n, n_vocab)
  // when all_logits. pooled: null, or (n_embd) to which each token's
  // final-normed hidden state is added.
  void Run(std::span<const int32_t> tokens, F16KvCache& cache, ThreadPool& pool, float* logits,
           bool all_logits, float* pooled) const {
    const int64_t n = static_cast<int64_t>(tokens.size());
    for (int64_t begin = 0; begin < n; begin += kMaxBatch) {
      const int64_t count = std::min(kMaxBatch, n - begin);
      const bool last = begin + count == n;
      float* batch_logits = nullptr;
      if (logits != nullptr && all_logits) batch_logits = logits + begin * config_.n_vocab;
      if (logits != nullptr && !all_logits && last) batch_logits = logits;
      RunBatch(tokens.data() + begin, count, cache, pool, batch_logits, all_logits, pooled);
    }
  }

  void RunBatch(const int32_t* tokens, int64_t n, F16KvCache& cache, ThreadPool& pool,
                float* logits, bool all_logits, float* pooled) const {
    const ModelConfig& c = config_;
    ForwardScratch& s = cache.scratch();
    s.Reserve(c, n, cache.capacity());  // allocates only when a batch is larger than any before
    const int32_t pos0 = cache.size();
    const int64_t n_embd = c.n_embd;
    const int64_t q_dim = int64_t{c.n_head} * c.head_dim;
    const int64_t kv_dim = int64_t{c.n_head_kv} * c.head_dim;
    const int64_t half_rot = c.n_rot / 2;

    float* x = s.x.data();    // (n, n_embd)
    float* xn = s.xn.data();  // (n, n_embd)
    for (int64_t t = 0; t < n; ++t) DequantizeRow(weights_.token_embd, tokens[t], x + t * n_embd);
    for (int64_t t = 0; t < n; ++t) {  // (n, n_rot/2) angles p·θ_i
      const double p = static_cast<double>(pos0 + t);
      for (int64_t i = 0; i < half_rot; ++i) {
        const double angle = p * inv_freq_[static_cast<size_t>(i)];
        s.rope_cos[static_cast<size_t>(t * half_rot + i)] = static_cast<float>(std::cos(angle));
        s.rope_sin[static_cast<size_t>(t * half_rot + i)] = static_cast<float>(std::sin(angle));
      }
    }

    for (int32_t l = 0; l < c.n_layer; ++l) {
      const LayerWeights& w = weights_.layers[static_cast<size_t>(l)];
      // Attention block.
      for (int64_t t = 0; t < n; ++t) {
        RmsNorm(x + t * n_embd, w.attn_norm.data(), n_embd, c.rms_eps, xn + t * n_embd);
      }
      MatMul(w.wq, xn, n, s.q.data(), pool);  // (n, q_dim)
      MatMul(w.wk, xn, n, s.k.data(), pool);  // (n, kv_dim)
      MatMul(w.wv, xn, n, s.v.data(), pool);  // (n, kv_dim)
      AddBias(w.bq, n, s.q.data());
      AddBias(w.bk, n, s.k.data());
      AddBias(w.bv, n, s.v.data());
      for (int64_t t = 0; t < n; ++t) {
        const float* cos = s.rope_cos.data() + t * half_rot;
        const float* sin = s.rope_sin.data() + t * half_rot;
        Rope(c.rope, c.n_head, c.head_dim, c.n_rot, cos, sin, s.q.data() + t * q_dim);
        Rope(c.rope, c.n_head_kv, c.head_dim, c.n_rot, cos, sin, s.k.data() + t * kv_dim);
        const int32_t pos = pos0 + static_cast<int32_t>(t);
        F32ToF16(s.k.data() + t * kv_dim, cache.key(l, pos), kv_dim);
        F32ToF16(s.v.data() + t * kv_dim, cache.value(l, pos), kv_dim);
      }
      const AttentionTask task{&c, &cache, &s, l, pos0, n};
      // Short contexts are cheaper inline than a fork/join across threads.
      const int64_t work = int64_t{c.n_head} * n * (pos0 + n) * c.head_dim;  // multiply-adds
      if (work < kInlineAttentionWork) {
        AttendHeads(task, 0, c.n_head);
      } else {
        pool.ParallelFor(c.n_head, 1, [&task](int64_t b, int64_t e) { AttendHeads(task, b, e); });
      }
      MatMul(w.wo, s.attn.data(), n, s.proj.data(), pool);  // (n, n_embd)
      AddInPlace(s.proj.data(), n * n_embd, x);

      // Feed-forward block (SwiGLU, Shazeer 2020).
      for (int64_t t = 0; t < n; ++t) {
        RmsNorm(x + t * n_embd, w.ffn_norm.data(), n_embd, c.rms_eps, xn + t * n_embd);
      }
      MatMul(w.w_gate, xn, n, s.gate.data(), pool);  // (n, n_ff)
      MatMul(w.w_up, xn, n, s.up.data(), pool);      // (n, n_ff)
      const int64_t n_ff_total = n * c.n_ff;
      float* gate = s.gate.data();
      const float* up = s.up.data();
      for (int64_t i = 0; i < n_ff_total; ++i) gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
      MatMul(w.w_down, gate, n, s.proj.data(), pool);  // (n, n_embd)
      AddInPlace(s.proj.data(), n * n_embd, x);
    }
    cache.set_size(pos0 + static_cast<int32_t>(n));

    // Output: final norm, then pooling and/or logits.
    const float* norm = weights_.output_norm.data();
    if (pooled != nullptr || (logits != nullptr && all_logits)) {
      for (int64_t t = 0; t < n; ++t) RmsNorm(x + t * n_embd, norm, n_embd, c.rms_eps, xn + t * n_embd);
      if (pooled != nullptr) {
        for (int64_t t = 0; t < n; ++t) AddInPlace(xn + t * n_embd, n_embd, pooled);
      }
      if (logits != nullptr) MatMul(weights_.output, xn, n, logits, pool);  // (n, n_vocab)
    } else if (logits != nullptr) {
      RmsNorm(x + (n - 1) * n_embd, norm, n_embd, c.rms_eps, xn);
      MatMul(weights_.output, xn, 1, logits, pool);  // (n_vocab)
    }
  }

  gguf::GgufFile file_;  // owns the mapping the weights point into
  ModelConfig config_;
  ModelWeights weights_;
  std::shared_ptr<const tokenizer::Tokenizer> tokenizer_;
  std::string chat_template_;
  std::vector<double> inv_freq_;  // (n_rot/2) θ_i
};

}  // namespace

StatusOr<std::shared_ptr<const Model>> CreateTransformer(gguf::GgufFile file, const std::string& stem) {
  StatusOr<ModelConfig> config = ReadModelConfig(file, stem);
  if (!config.ok()) return config.status();
  StatusOr<ModelWeights> weights = LoadModelWeights(file, &*config);
  if (!weights.ok()) return weights.status();
  StatusOr<std::shared_ptr<const tokenizer::Tokenizer>> tok = tokenizer::LoadFromGguf(file);
  if (!tok.ok()) return Status(tok.status().code(), "tokenizer: " + tok.status().message());
  if ((*tok)->vocab_size() > config->n_vocab) {
    return Invalid("the tokenizer has " + std::to_string((*tok)->vocab_size()) +
                   " tokens but token_embd.weight has only " + std::to_string(config->n_vocab) +
                   " rows");
  }
  std::string chat_template;
  if (file.Find("tokenizer.chat_template") != nullptr) {
    StatusOr<std::string_view> t = file.GetString("tokenizer.chat_template");
    if (!t.ok()) return Invalid(t.status().message());
    chat_template = std::string(*t);
  }
  return std::shared_ptr<const Model>(std::make_shared<Transformer>(
      std::move(file), std::move(*config), std::move(*weights), std::move(*tok), std::move(chat_template)));
}

}  // namespace sluice::engine
