#include "engine/model/model_weights.h"

#include <string>

#include "engine/kernels/matmul.h"

namespace sluice::engine {
namespace {

Status Invalid(std::string message) { return Status(ErrorCode::kInvalidArgument, std::move(message)); }

std::string ShapeString(std::span<const uint64_t> ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(ne[i]);
  }
  return s + "]";
}

class Loader {
 public:
  explicit Loader(const gguf::GgufFile& file) : file_(file) {}

  uint64_t bytes() const { return bytes_; }

  // The tensor `name` with dims `expected` (trailing 1s may be omitted in the
  // file), or an error naming it.
  StatusOr<const gguf::TensorInfo*> Find(const std::string& name, std::span<const uint64_t> expected) {
    const gguf::TensorInfo* t = file_.FindTensor(name);
    if (t == nullptr) return Invalid("missing tensor " + name);
    bool match = true;
    for (uint32_t d = 0; d < gguf::kMaxDims; ++d) {
      const uint64_t want = d < expected.size() ? expected[d] : 1;
      if (t->ne[d] != want) match = false;
    }
    if (!match) {
      return Invalid("tensor " + name + " has shape " + ShapeString(t->dims()) + ", expected " +
                     ShapeString(expected));
    }
    if (!IsSupportedWeightType(t->type)) {
      return Invalid("tensor " + name + " has unsupported type " +
                     std::string(gguf::GetGgmlTypeInfo(t->type).name) +
                     " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
    }
    bytes_ += t->n_bytes;
    return t;
  }

  // A (rows, cols) matrix: ggml dims [cols, rows].
  Status Matrix(const std::string& name, int64_t rows, int64_t cols, Weight* out) {
    const uint64_t ne[2] = {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)};
    StatusOr<const gguf::TensorInfo*> t = Find(name, ne);
    if (!t.ok()) return t.status();
    *out = ToWeight(**t);
    return Status::Ok();
  }

  // A vector of n, copied out as F32.
  Status Vector(const std::string& name, int64_t n, std::vector<float>* out) {
    const uint64_t ne[1] = {static_cast<uint64_t>(n)};
    StatusOr<const gguf::TensorInfo*> t = Find(name, ne);
    if (!t.ok()) return t.status();
    const Weight w = ToWeight(**t);
    out->assign(static_cast<size_t>(n), 0.0f);
    DequantizeRow(Weight{w.type, w.data, 1, n}, 0, out->data());
    return Status::Ok();
  }

  // Like Vector, but leaves `out` empty when the tensor is absent.
  Status OptionalVector(const std::string& name, int64_t n, std::vector<float>* out) {
    if (file_.FindTensor(name) == nullptr) return Status::Ok();
    return Vector(name, n, out);
  }

  static Weight ToWeight(const gguf::TensorInfo& t) {
    Weight w;
    w.type = t.type;
    w.data = reinterpret_cast<const std::byte*>(t.data.data());
    w.cols = static_cast<int64_t>(t.ne[0]);
    w.rows = static_cast<int64_t>(t.ne[1]);
    return w;
  }

 private:
  const gguf::GgufFile& file_;
  uint64_t bytes_ = 0;
};

}  // namespace

StatusOr<ModelWeights> LoadModelWeights(const gguf::GgufFile& file, ModelConfig* config) {
  ModelConfig& c = *config;
  Loader load(file);
  ModelWeights w;

  const gguf::TensorInfo* embd = file.FindTensor("token_embd.weight");
  if (embd == nullptr) return Invalid("missing tensor token_embd.weight");
  if (embd->ne[1] == 0 || embd->ne[1] > (uint64_t{1} << 24)) {
    return Invalid("tensor token_embd.weight has shape " + ShapeString(embd->dims()) +
                   ": implausible vocabulary size");
  }
  c.n_vocab = static_cast<int32_t>(embd->ne[1]);
  SLUICE_RETURN_IF_ERROR(load.Matrix("token_embd.weight", c.n_vocab, c.n_embd, &w.token_embd));

  const int64_t q_dim = int64_t{c.n_head} * c.head_dim;
  const int64_t kv_dim = int64_t{c.n_head_kv} * c.head_dim;
  // Grown one layer at a time: a hostile block_count fails at its first
  // missing tensor instead of allocating for layers that are not there.
  for (int32_t i = 0; i < c.n_layer; ++i) {
    LayerWeights& l = w.layers.emplace_back();
    const std::string b = "blk." + std::to_string(i) + ".";
    SLUICE_RETURN_IF_ERROR(load.Vector(b + "attn_norm.weight", c.n_embd, &l.attn_norm));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "attn_q.weight", q_dim, c.n_embd, &l.wq));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "attn_k.weight", kv_dim, c.n_embd, &l.wk));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "attn_v.weight", kv_dim, c.n_embd, &l.wv));
    SLUICE_RETURN_IF_ERROR(load.OptionalVector(b + "attn_q.bias", q_dim, &l.bq));
    SLUICE_RETURN_IF_ERROR(load.OptionalVector(b + "attn_k.bias", kv_dim, &l.bk));
    SLUICE_RETURN_IF_ERROR(load.OptionalVector(b + "attn_v.bias", kv_dim, &l.bv));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "attn_output.weight", c.n_embd, q_dim, &l.wo));
    SLUICE_RETURN_IF_ERROR(load.Vector(b + "ffn_norm.weight", c.n_embd, &l.ffn_norm));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "ffn_gate.weight", c.n_ff, c.n_embd, &l.w_gate));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "ffn_up.weight", c.n_ff, c.n_embd, &l.w_up));
    SLUICE_RETURN_IF_ERROR(load.Matrix(b + "ffn_down.weight", c.n_embd, c.n_ff, &l.w_down));
  }
  SLUICE_RETURN_IF_ERROR(load.Vector("output_norm.weight", c.n_embd, &w.output_norm));
  c.tied_embeddings = file.FindTensor("output.weight") == nullptr;
  if (c.tied_embeddings) {
    w.output = w.token_embd;
  } else {
    SLUICE_RETURN_IF_ERROR(load.Matrix("output.weight", c.n_vocab, c.n_embd, &w.output));
  }
  w.bytes = load.bytes();
  return w;
}

}  // namespace sluice::engine
