#include "engine/model/model_config.h"

#include <cmath>
#include <string>
#include <variant>

namespace sluice::engine {
namespace {

// Longest context a file may declare (Qwen2.5-1M declares 1,010,000).
constexpr int32_t kMaxContextLength = 1 << 24;

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

// An integer-valued key of any GGUF integer type, or kNotFound.
StatusOr<int64_t> GetInteger(const gguf::GgufFile& file, const std::string& key) {
  const gguf::Value* value = file.Find(key);
  if (value == nullptr) return Status(ErrorCode::kNotFound, "missing metadata key " + key);
  return std::visit(
      [&](const auto& v) -> StatusOr<int64_t> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_same_v<T, uint64_t>) {
            if (v > static_cast<uint64_t>(INT64_MAX)) return Invalid(key + " is out of range");
          }
          return static_cast<int64_t>(v);
        } else {
          return Invalid(key + " has type " + gguf::TypeDescription(*value) + ", expected an integer");
        }
      },
      value->storage());
}

// A float-valued key stored as FLOAT32 or FLOAT64, or kNotFound.
StatusOr<double> GetReal(const gguf::GgufFile& file, const std::string& key) {
  const gguf::Value* value = file.Find(key);
  if (value == nullptr) return Status(ErrorCode::kNotFound, "missing metadata key " + key);
  if (const float* f = value->get_if<float>()) return static_cast<double>(*f);
  if (const double* d = value->get_if<double>()) return *d;
  return Invalid(key + " has type " + gguf::TypeDescription(*value) + ", expected FLOAT32");
}

// A required positive int32 hyper-parameter.
Status ReadCount(const gguf::GgufFile& file, const std::string& key, int32_t* out) {
  StatusOr<int64_t> v = GetInteger(file, key);
  if (!v.ok()) {
    return v.status().code() == ErrorCode::kNotFound ? Invalid(v.status().message()) : v.status();
  }
  if (*v <= 0 || *v > (int64_t{1} << 30)) {
    return Invalid(key + " = " + std::to_string(*v) + " is out of range");
  }
  *out = static_cast<int32_t>(*v);
  return Status::Ok();
}

// An optional one: leaves *out alone when absent.
Status ReadOptionalCount(const gguf::GgufFile& file, const std::string& key, int32_t* out) {
  if (file.Find(key) == nullptr) return Status::Ok();
  return ReadCount(file, key, out);
}

}  // namespace

StatusOr<ModelConfig> ReadModelConfig(const gguf::GgufFile& file, const std::string& stem) {
  ModelConfig c;
  StatusOr<std::string_view> arch = file.GetString("general.architecture");
  if (!arch.ok()) return Invalid(arch.status().message());
  c.arch = std::string(*arch);
  if (c.arch == "llama") {
    c.rope = RopeKind::kNormal;
  } else if (c.arch == "qwen2") {
    c.rope = RopeKind::kNeox;
  } else {
    return Invalid("unsupported architecture '" + c.arch + "' (supported: llama, qwen2)");
  }
  c.name = stem;
  if (file.Find("general.name") != nullptr) {
    StatusOr<std::string_view> name = file.GetString("general.name");
    if (!name.ok()) return Invalid(name.status().message());
    if (!name->empty()) c.name = std::string(*name);
  }

  const std::string p = c.arch + ".";
  SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "embedding_length", &c.n_embd));
  SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "block_count", &c.n_layer));
  SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "feed_forward_length", &c.n_ff));
  SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "attention.head_count", &c.n_head));
  SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "context_length", &c.context_length));
  if (c.context_length > kMaxContextLength) {
    return Invalid(p + "context_length = " + std::to_string(c.context_length) +
                   " is above the supported maximum " + std::to_string(kMaxContextLength));
  }
  c.n_head_kv = c.n_head;
  SLUICE_RETURN_IF_ERROR(ReadOptionalCount(file, p + "attention.head_count_kv", &c.n_head_kv));
  if (c.n_head % c.n_head_kv != 0) {
    return Invalid(p + "attention.head_count (" + std::to_string(c.n_head) +
                   ") is not a multiple of " + p + "attention.head_count_kv (" +
                   std::to_string(c.n_head_kv) + ")");
  }
  if (file.Find(p + "attention.key_length") != nullptr) {
    SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "attention.key_length", &c.head_dim));
  } else {
    if (c.n_embd % c.n_head != 0) {
      return Invalid(p + "embedding_length (" + std::to_string(c.n_embd) +
                     ") is not a multiple of " + p + "attention.head_count (" +
                     std::to_string(c.n_head) + ")");
    }
    c.head_dim = c.n_embd / c.n_head;
  }
  if (file.Find(p + "attention.value_length") != nullptr) {
    int32_t value_length = 0;
    SLUICE_RETURN_IF_ERROR(ReadCount(file, p + "attention.value_length", &value_length));
    if (value_length != c.head_dim) {
      return Invalid(p + "attention.value_length (" + std::to_string(value_length) +
                     ") differs from the key length (" + std::to_string(c.head_dim) +
                     "); not supported");
    }
  }
  if (c.head_dim % 2 != 0) {
    return Invalid("head dimension " + std::to_string(c.head_dim) + " is odd; RoPE needs pairs");
  }
  c.n_rot = c.head_dim;
  SLUICE_RETURN_IF_ERROR(ReadOptionalCount(file, p + "rope.dimension_count", &c.n_rot));
  if (c.n_rot > c.head_dim || c.n_rot % 2 != 0) {
    return Invalid(p + "rope.dimension_count (" + std::to_string(c.n_rot) +
                   ") must be even and at most the head dimension (" +
                   std::to_string(c.head_dim) + ")");
  }

  if (file.Find(p + "rope.freq_base") != nullptr) {
    StatusOr<double> base = GetReal(file, p + "rope.freq_base");
    if (!base.ok()) return base.status();
    if (!(*base > 1.0) || !std::isfinite(*base)) {
      return Invalid(p + "rope.freq_base = " + std::to_string(*base) + " is out of range");
    }
    c.rope_freq_base = static_cast<float>(*base);
  }
  StatusOr<double> eps = GetReal(file, p + "attention.layer_norm_rms_epsilon");
  if (!eps.ok()) {
    return eps.status().code() == ErrorCode::kNotFound ? Invalid(eps.status().message())
                                                       : eps.status();
  }
  if (!(*eps > 0.0) || !(*eps < 1.0)) {
    return Invalid(p + "attention.layer_norm_rms_epsilon = " + std::to_string(*eps) +
                   " is out of range");
  }
  c.rms_eps = static_cast<float>(*eps);
  return c;
}

}  // namespace sluice::engine
