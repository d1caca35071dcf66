#include "engine/tools/random_model.h"

#include <cmath>
#include <numbers>
#include <span>
#include <string_view>
#include <vector>

#include "engine/tools/encode.h"
#include "engine/tools/synthetic_tokenizer.h"
#include "gguf/writer.h"

namespace sluice::engine::tools {
namespace {

Status Invalid(const std::string& message) {
  return Status(ErrorCode::kInvalidArgument, "model random: " + message);
}

// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, portable generator,
// so the same seed gives the same file on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1].
  double Uniform() { return (static_cast<double>(Next() >> 11) + 1.0) * 0x1p-53; }
  // Standard normal by Box–Muller, both outputs used.
  float Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(Uniform()));
    const double theta = 2.0 * std::numbers::pi * Uniform();
    spare_ = static_cast<float>(r * std::sin(theta));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(theta));
  }

 private:
  uint64_t state_;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

// FNV-1a of the tensor name, mixed into the seed so each tensor has its own stream.
uint64_t TensorSeed(uint64_t seed, std::string_view name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return seed ^ h;
}

std::vector<float> RandomValues(uint64_t seed, std::string_view name, size_t n, float mean,
                                float stddev) {
  Rng rng(TensorSeed(seed, name));
  std::vector<float> v(n);
  for (float& x : v) x = mean + stddev * rng.Normal();
  return v;
}

class ModelWriter {
 public:
  explicit ModelWriter(const RandomModelOptions& o) : o_(o) {}

  // A 1-D F32 tensor of n values.
  Status Vector(const std::string& name, int64_t n, float mean, float stddev) {
    std::vector<float> v = RandomValues(o_.seed, name, static_cast<size_t>(n), mean, stddev);
    const uint64_t ne[1] = {static_cast<uint64_t>(n)};
    return writer_.AddTensor(
        name, gguf::GgmlType::kF32, ne,
        std::span(reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)));
  }

  // A [rows][cols] weight (ggml ne = [cols, rows]) in the model's type.
  Status Matrix(const std::string& name, int64_t rows, int64_t cols) {
    std::vector<float> v =
        RandomValues(o_.seed, name, static_cast<size_t>(rows * cols), 0.0f, o_.scale);
    const gguf::GgmlType type = StoredType(o_.type, cols);
    std::vector<std::byte> bytes;
    Status s = EncodeRows(type, v.data(), rows, cols, &bytes);
    if (!s.ok()) return Status(s.code(), name + ": " + s.message());
    const uint64_t ne[2] = {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)};
    return writer_.AddTensor(
        name, type, ne, std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  Status Write(const std::string& path) {
    const std::string& a = o_.arch;
    const int32_t head_dim = o_.n_embd / o_.n_head;
    const std::string name = o_.name.empty() ? "random-" + a : o_.name;
    SLUICE_RETURN_IF_ERROR(writer_.SetString("general.architecture", a));
    SLUICE_RETURN_IF_ERROR(writer_.SetString("general.name", name));
    SLUICE_RETURN_IF_ERROR(writer_.SetU32("general.file_type", FileTypeNumber(o_.type)));
    SLUICE_RETURN_IF_ERROR(writer_.SetU32("general.quantization_version", 2));
    auto u32 = [&](const std::string& key, int32_t v) {
      return writer_.SetU32(a + "." + key, static_cast<uint32_t>(v));
    };
    SLUICE_RETURN_IF_ERROR(u32("context_length", o_.context_length));
    SLUICE_RETURN_IF_ERROR(u32("embedding_length", o_.n_embd));
    SLUICE_RETURN_IF_ERROR(u32("block_count", o_.n_layer));
    SLUICE_RETURN_IF_ERROR(u32("feed_forward_length", o_.n_ff));
    SLUICE_RETURN_IF_ERROR(u32("attention.head_count", o_.n_head));
    SLUICE_RETURN_IF_ERROR(u32("attention.head_count_kv", o_.n_head_kv));
    SLUICE_RETURN_IF_ERROR(u32("rope.dimension_count", head_dim));
    SLUICE_RETURN_IF_ERROR(writer_.Set(a + ".rope.freq_base", gguf::Value(o_.rope_freq_base)));
    SLUICE_RETURN_IF_ERROR(
        writer_.Set(a + ".attention.layer_norm_rms_epsilon", gguf::Value(o_.rms_eps)));
    SLUICE_RETURN_IF_ERROR(WriteSyntheticTokenizer(a, o_.n_vocab, &writer_));

    const bool qwen2 = a == "qwen2";
    const int64_t q_dim = static_cast<int64_t>(o_.n_head) * head_dim;
    const int64_t kv_dim = static_cast<int64_t>(o_.n_head_kv) * head_dim;
    SLUICE_RETURN_IF_ERROR(Matrix("token_embd.weight", o_.n_vocab, o_.n_embd));
    for (int32_t l = 0; l < o_.n_layer; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      SLUICE_RETURN_IF_ERROR(Vector(p + "attn_norm.weight", o_.n_embd, 1.0f, 0.1f));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "attn_q.weight", q_dim, o_.n_embd));
      if (qwen2) SLUICE_RETURN_IF_ERROR(Vector(p + "attn_q.bias", q_dim, 0.0f, 0.1f));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "attn_k.weight", kv_dim, o_.n_embd));
      if (qwen2) SLUICE_RETURN_IF_ERROR(Vector(p + "attn_k.bias", kv_dim, 0.0f, 0.1f));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "attn_v.weight", kv_dim, o_.n_embd));
      if (qwen2) SLUICE_RETURN_IF_ERROR(Vector(p + "attn_v.bias", kv_dim, 0.0f, 0.1f));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "attn_output.weight", o_.n_embd, q_dim));
      SLUICE_RETURN_IF_ERROR(Vector(p + "ffn_norm.weight", o_.n_embd, 1.0f, 0.1f));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "ffn_gate.weight", o_.n_ff, o_.n_embd));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "ffn_up.weight", o_.n_ff, o_.n_embd));
      SLUICE_RETURN_IF_ERROR(Matrix(p + "ffn_down.weight", o_.n_embd, o_.n_ff));
    }
    SLUICE_RETURN_IF_ERROR(Vector("output_norm.weight", o_.n_embd, 1.0f, 0.1f));
    if (!o_.tied) SLUICE_RETURN_IF_ERROR(Matrix("output.weight", o_.n_vocab, o_.n_embd));
    return writer_.WriteFile(path);
  }

 private:
  const RandomModelOptions& o_;
  gguf::GgufWriter writer_;
};

}  // namespace

Status WriteRandomModel(const RandomModelOptions& options, const std::string& path) {
  RandomModelOptions o = options;
  if (o.n_head_kv == 0) o.n_head_kv = o.n_head;
  if (o.arch != "llama" && o.arch != "qwen2") {
    return Invalid("--arch must be llama or qwen2, not \"" + o.arch + "\"");
  }
  struct Positive {
    const char* flag;
    int32_t value;
  };
  for (Positive p : {Positive{"--vocab", o.n_vocab}, Positive{"--embd", o.n_embd},
                     Positive{"--layers", o.n_layer}, Positive{"--heads", o.n_head},
                     Positive{"--kv-heads", o.n_head_kv}, Positive{"--ff", o.n_ff},
                     Positive{"--context", o.context_length}}) {
    if (p.value <= 0) return Invalid(std::string(p.flag) + " must be positive");
  }
  if (o.n_vocab < kMinSyntheticVocab) {
    return Invalid("--vocab must be at least " + std::to_string(kMinSyntheticVocab) +
                   " (256 byte tokens + 3 specials)");
  }
  if (o.n_embd % o.n_head != 0) return Invalid("--embd must be a multiple of --heads");
  if (o.n_head % o.n_head_kv != 0) return Invalid("--heads must be a multiple of --kv-heads");
  if ((o.n_embd / o.n_head) % 2 != 0) return Invalid("the head dimension (embd/heads) must be even");
  if (!(o.scale > 0.0f) || !std::isfinite(o.scale)) return Invalid("--scale must be positive");
  if (!(o.rope_freq_base > 0.0f) || !(o.rms_eps > 0.0f)) {
    return Invalid("--rope-base and --eps must be positive");
  }
  const uint32_t block = gguf::GetGgmlTypeInfo(o.type).block_size;
  const bool k_quant = o.type == gguf::GgmlType::kQ4_K || o.type == gguf::GgmlType::kQ6_K;
  if (!k_quant && (o.n_embd % block != 0 || o.n_ff % block != 0)) {
    return Invalid("--embd and --ff must be multiples of " + std::to_string(block) + " for " +
                   std::string(WeightTypeFlagName(o.type)));
  }
  if (k_quant && (o.n_embd % 32 != 0 || o.n_ff % 32 != 0)) {
    return Invalid("--embd and --ff must be multiples of 32 (256 to avoid the Q8_0 fallback)");
  }
  ModelWriter writer(o);
  return writer.Write(path);
}

}  // namespace sluice::engine::tools
