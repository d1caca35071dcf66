// Model: a GGUF transformer (llama, qwen2) loaded for inference. Weights stay
// in the memory-mapped file; the Model is immutable after Open and shared by
// all requests (thread-safe); per-request state lives in a KvCache.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/kernels/thread_pool.h"
#include "tokenizer/tokenizer.h"

namespace sluice::engine {

enum class RopeKind { kNormal, kNeox };  // llama: adjacent pairs; qwen2: halves

struct ModelConfig {
  std::string arch;  // "llama" | "qwen2"
  std::string name;  // general.name, else the file stem
  int32_t n_vocab = 0;
  int32_t n_embd = 0;
  int32_t n_layer = 0;
  int32_t n_head = 0;
  int32_t n_head_kv = 0;
  int32_t head_dim = 0;  // n_embd / n_head unless the file says otherwise
  int32_t n_rot = 0;     // leading dims of each head RoPE rotates (rope.dimension_count)
  int32_t n_ff = 0;
  int32_t context_length = 0;
  float rope_freq_base = 10000.0f;
  float rms_eps = 1e-5f;
  RopeKind rope = RopeKind::kNormal;
  bool tied_embeddings = false;  // no output.weight: logits use token_embd
};

// Keys and values of one sequence, F16, sized to the request's context.
// An interface so that a paged cache can replace it later.
class KvCache {
 public:
  virtual ~KvCache() = default;
  virtual int32_t capacity() const = 0;  // positions it can hold
  virtual int32_t size() const = 0;      // positions filled
  virtual void Truncate(int32_t n) = 0;  // forget positions >= n
};

class Model {
 public:
  virtual ~Model() = default;

  // `source`: a .gguf path, or "ollama:NAME:TAG" resolved in the local Ollama
  // store ($OLLAMA_MODELS or ~/.ollama/models). Refuses unsupported
  // architectures and tensor types by name.
  static StatusOr<std::shared_ptr<const Model>> Open(const std::string& source);

  virtual const ModelConfig& config() const = 0;
  virtual const tokenizer::Tokenizer& tokenizer() const = 0;
  virtual std::shared_ptr<const tokenizer::Tokenizer> shared_tokenizer() const = 0;
  // tokenizer.chat_template from the file, or "" when it has none.
  virtual const std::string& chat_template() const = 0;
  // Bytes of weights (for GB/s reporting).
  virtual uint64_t weight_bytes() const = 0;

  // A cache for n_ctx positions, capped at config().context_length (n_ctx <= 0:
  // the whole context). Memory is reserved now and touched as positions fill;
  // the cache also holds the forward pass's scratch, so decoding allocates nothing.
  virtual std::unique_ptr<KvCache> NewCache(int32_t n_ctx) const = 0;

  // Runs `tokens` at positions cache.size() … cache.size()+n-1, appending
  // their keys/values to `cache`. Writes the logits of the last token to
  // `logits` (n_vocab floats), or of every token when logits.size() ==
  // n * n_vocab ([n][n_vocab]); an empty `logits` computes none (prefill).
  // Fails (kInvalidArgument) when the tokens do not fit in the cache, an id is
  // out of range, `tokens` is empty or `logits` has another size; the cache is
  // unchanged then. `cache` must come from this model's NewCache. Thread-safe
  // for distinct caches; one Forward at a time per cache and per pool.
  virtual Status Forward(std::span<const int32_t> tokens, KvCache& cache, ThreadPool& pool,
                         std::span<float> logits) const = 0;

  // Mean of the final-normed hidden states over `tokens`, L2-normalized: n_embd floats.
  virtual StatusOr<std::vector<float>> Embed(std::span<const int32_t> tokens,
                                             ThreadPool& pool) const = 0;
};

}  // namespace sluice::engine
