// Model tests: load-time refusals, the Ollama store lookup, the forward pass
// against a naive double-precision transformer written here from the formulas
// (no shared code), KV-cache consistency and context limits. The cross-check
// against an independent PyTorch reference is tests/engine/golden_test.cpp.
#include "engine/model/model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/thread_pool.h"
#include "engine/model/ollama_store.h"
#include "gguf/writer.h"

namespace sluice::engine {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// ---- tiny model files -------------------------------------------------------

struct TinySpec {
  std::string arch = "llama";
  int n_vocab = 40;
  int n_embd = 32;
  int n_layer = 2;
  int n_head = 4;
  int n_head_kv = 2;
  int n_ff = 64;
  int context_length = 96;
  float rope_base = 10000.0f;
  float eps = 1e-5f;
  bool bias = false;  // attn_q/k/v.bias (qwen2)
  bool tied = false;  // no output.weight
  uint32_t seed = 7;
};

struct TensorSpec {
  std::string name;
  std::vector<uint64_t> ne;   // ggml order: ne[0] = cols
  std::vector<float> values;  // F32 data, row-major (rows, cols)
  gguf::GgmlType type = gguf::GgmlType::kF32;
  std::vector<uint8_t> raw;   // used instead of `values` when not empty
};

struct TinyModel {
  TinySpec spec;
  std::vector<TensorSpec> tensors;

  TensorSpec* Find(const std::string& name) {
    for (TensorSpec& t : tensors) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
  const std::vector<float>& Values(const std::string& name) const {
    for (const TensorSpec& t : tensors) {
      if (t.name == name) return t.values;
    }
    ADD_FAILURE() << "no tensor " << name;
    static const std::vector<float> kEmpty;
    return kEmpty;
  }
};

TinyModel MakeTiny(const TinySpec& spec) {
  TinyModel m{spec, {}};
  std::mt19937 rng(spec.seed);
  std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
  const auto u64 = [](int v) { return static_cast<uint64_t>(v); };
  const auto matrix = [&](const std::string& name, int rows, int cols) {
    TensorSpec t{name, {u64(cols), u64(rows)}, {}, gguf::GgmlType::kF32, {}};
    const float scale = 1.0f / std::sqrt(static_cast<float>(cols));
    for (int i = 0; i < rows * cols; ++i) t.values.push_back(uni(rng) * scale * 1.5f);
    m.tensors.push_back(std::move(t));
  };
  const auto vector = [&](const std::string& name, int n, float center, float spread) {
    TensorSpec t{name, {u64(n)}, {}, gguf::GgmlType::kF32, {}};
    for (int i = 0; i < n; ++i) t.values.push_back(center + spread * uni(rng));
    m.tensors.push_back(std::move(t));
  };
  const int hd = spec.n_embd / spec.n_head;
  TensorSpec embd{"token_embd.weight", {u64(spec.n_embd), u64(spec.n_vocab)}, {}, gguf::GgmlType::kF32, {}};
  for (int i = 0; i < spec.n_vocab * spec.n_embd; ++i) embd.values.push_back(uni(rng));
  m.tensors.push_back(std::move(embd));
  for (int l = 0; l < spec.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    vector(b + "attn_norm.weight", spec.n_embd, 1.0f, 0.2f);
    matrix(b + "attn_q.weight", spec.n_head * hd, spec.n_embd);
    matrix(b + "attn_k.weight", spec.n_head_kv * hd, spec.n_embd);
    matrix(b + "attn_v.weight", spec.n_head_kv * hd, spec.n_embd);
    if (spec.bias) {
      vector(b + "attn_q.bias", spec.n_head * hd, 0.0f, 0.3f);
      vector(b + "attn_k.bias", spec.n_head_kv * hd, 0.0f, 0.3f);
      vector(b + "attn_v.bias", spec.n_head_kv * hd, 0.0f, 0.3f);
    }
    matrix(b + "attn_output.weight", spec.n_embd, spec.n_head * hd);
    vector(b + "ffn_norm.weight", spec.n_embd, 1.0f, 0.2f);
    matrix(b + "ffn_gate.weight", spec.n_ff, spec.n_embd);
    matrix(b + "ffn_up.weight", spec.n_ff, spec.n_embd);
    matrix(b + "ffn_down.weight", spec.n_embd, spec.n_ff);
  }
  vector("output_norm.weight", spec.n_embd, 1.0f, 0.2f);
  if (!spec.tied) matrix("output.weight", spec.n_vocab, spec.n_embd);
  return m;
}

// Encodes every 2-D tensor of `m` as `type` and replaces its F32 values by
// the dequantized ones, so the naive reference sees the weights the engine sees.
void QuantizeTiny(gguf::GgmlType type, TinyModel* m) {
  for (TensorSpec& t : m->tensors) {
    if (t.ne.size() != 2) continue;
    const auto cols = static_cast<int64_t>(t.ne[0]);
    const auto rows = static_cast<int64_t>(t.ne[1]);
    std::vector<std::byte> encoded;
    const Status st = QuantizeRows(type, t.values.data(), rows, cols, &encoded);
    ASSERT_TRUE(st.ok()) << t.name << ": " << st.ToString();
    t.type = type;
    t.raw.resize(encoded.size());
    std::memcpy(t.raw.data(), encoded.data(), encoded.size());
    const Weight w{type, encoded.data(), rows, cols};
    for (int64_t r = 0; r < rows; ++r) DequantizeRow(w, r, t.values.data() + r * cols);
  }
}

// A WordPiece vocabulary: "[UNK]" and "w1" … (the model tests never encode text).
void AddTokenizer(int n_vocab, gguf::GgufWriter& w) {
  std::vector<std::string> tokens = {"[UNK]"};
  for (int i = 1; i < n_vocab; ++i) tokens.push_back("w" + std::to_string(i));
  ASSERT_TRUE(w.SetString("tokenizer.ggml.model", "bert").ok());
  ASSERT_TRUE(w.SetStringArray("tokenizer.ggml.tokens", tokens).ok());
  ASSERT_TRUE(w.SetU32("tokenizer.ggml.unknown_token_id", 0).ok());
  ASSERT_TRUE(w.Set("tokenizer.ggml.add_bos_token", gguf::Value(false)).ok());
  ASSERT_TRUE(w.Set("tokenizer.ggml.add_eos_token", gguf::Value(false)).ok());
}

void WriteTiny(const TinyModel& m, const std::string& path) {
  const TinySpec& s = m.spec;
  gguf::GgufWriter w;
  const std::string p = s.arch + ".";
  ASSERT_TRUE(w.SetString("general.architecture", s.arch).ok());
  ASSERT_TRUE(w.SetString("general.name", "tiny-" + s.arch).ok());
  ASSERT_TRUE(w.SetU32(p + "embedding_length", static_cast<uint32_t>(s.n_embd)).ok());
  ASSERT_TRUE(w.SetU32(p + "block_count", static_cast<uint32_t>(s.n_layer)).ok());
  ASSERT_TRUE(w.SetU32(p + "feed_forward_length", static_cast<uint32_t>(s.n_ff)).ok());
  ASSERT_TRUE(w.SetU32(p + "attention.head_count", static_cast<uint32_t>(s.n_head)).ok());
  ASSERT_TRUE(w.SetU32(p + "attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv)).ok());
  ASSERT_TRUE(w.SetU32(p + "context_length", static_cast<uint32_t>(s.context_length)).ok());
  ASSERT_TRUE(w.Set(p + "rope.freq_base", gguf::Value(s.rope_base)).ok());
  ASSERT_TRUE(w.Set(p + "attention.layer_norm_rms_epsilon", gguf::Value(s.eps)).ok());
  ASSERT_TRUE(w.SetString("tokenizer.chat_template", "{{ messages }}").ok());
  AddTokenizer(s.n_vocab, w);
  for (const TensorSpec& t : m.tensors) {
    std::span<const uint8_t> bytes =
        t.raw.empty() ? std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(t.values.data()),
                                                 t.values.size() * sizeof(float))
                      : std::span<const uint8_t>(t.raw);
    const Status st = w.AddTensor(t.name, t.type, t.ne, bytes);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  const Status st = w.WriteFile(path);
  ASSERT_TRUE(st.ok()) << st.ToString();
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("sluice_model_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

StatusOr<std::shared_ptr<const Model>> OpenTiny(const TinyModel& m, const TempDir& dir) {
  const std::string path = dir.File(m.spec.arch + ".gguf");
  WriteTiny(m, path);
  return Model::Open(path);
}

// ---- naive reference --------------------------------------------------------

// All tokens' logits, (n, n_vocab), in double precision, straight from the
// formulas in transformer.h (F32 keys and values: no F16 rounding).
// `hidden`, when given, receives the final-normed hidden states (n, n_embd).
std::vector<double> ReferenceLogits(const TinyModel& m, const std::vector<int32_t>& tokens,
                                    std::vector<std::vector<double>>* hidden = nullptr) {
  const TinySpec& s = m.spec;
  const int n = static_cast<int>(tokens.size());
  const int E = s.n_embd, hd = s.n_embd / s.n_head, F = s.n_ff, V = s.n_vocab;
  const auto matvec = [](const std::vector<float>& w, int rows, int cols, const std::vector<double>& x) {
    std::vector<double> y(static_cast<size_t>(rows), 0.0);
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) y[r] += double{w[static_cast<size_t>(r * cols + c)]} * x[c];
    }
    return y;
  };
  const auto rmsnorm = [&](const std::vector<double>& x, const std::vector<float>& w) {
    double ss = 0;
    for (double v : x) ss += v * v;
    const double scale = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + double{s.eps});
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * scale * w[i];
    return y;
  };
  const auto rope = [&](std::vector<double>& v, int heads, int pos) {
    for (int h = 0; h < heads; ++h) {
      for (int i = 0; i < hd / 2; ++i) {
        const double theta = std::pow(double{s.rope_base}, -2.0 * i / hd);
        const double a = pos * theta;
        const int i0 = s.arch == "llama" ? h * hd + 2 * i : h * hd + i;
        const int i1 = s.arch == "llama" ? h * hd + 2 * i + 1 : h * hd + i + hd / 2;
        const double x0 = v[i0], x1 = v[i1];
        v[i0] = x0 * std::cos(a) - x1 * std::sin(a);
        v[i1] = x0 * std::sin(a) + x1 * std::cos(a);
      }
    }
  };
  std::vector<std::vector<double>> x(n, std::vector<double>(E));
  const std::vector<float>& embd = m.Values("token_embd.weight");
  for (int t = 0; t < n; ++t) {
    for (int i = 0; i < E; ++i) x[t][i] = embd[static_cast<size_t>(tokens[t] * E + i)];
  }
  for (int l = 0; l < s.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    std::vector<std::vector<double>> q(n), k(n), v(n);
    for (int t = 0; t < n; ++t) {
      const std::vector<double> h = rmsnorm(x[t], m.Values(b + "attn_norm.weight"));
      q[t] = matvec(m.Values(b + "attn_q.weight"), s.n_head * hd, E, h);
      k[t] = matvec(m.Values(b + "attn_k.weight"), s.n_head_kv * hd, E, h);
      v[t] = matvec(m.Values(b + "attn_v.weight"), s.n_head_kv * hd, E, h);
      if (s.bias) {
        for (size_t i = 0; i < q[t].size(); ++i) q[t][i] += m.Values(b + "attn_q.bias")[i];
        for (size_t i = 0; i < k[t].size(); ++i) k[t][i] += m.Values(b + "attn_k.bias")[i];
        for (size_t i = 0; i < v[t].size(); ++i) v[t][i] += m.Values(b + "attn_v.bias")[i];
      }
      rope(q[t], s.n_head, t);
      rope(k[t], s.n_head_kv, t);
    }
    for (int t = 0; t < n; ++t) {
      std::vector<double> att(static_cast<size_t>(s.n_head * hd), 0.0);
      for (int h = 0; h < s.n_head; ++h) {
        const int g = h / (s.n_head / s.n_head_kv);
        std::vector<double> sc(t + 1);
        double mx = -1e300, sum = 0;
        for (int j = 0; j <= t; ++j) {
          double d = 0;
          for (int i = 0; i < hd; ++i) d += q[t][h * hd + i] * k[j][g * hd + i];
          sc[j] = d / std::sqrt(double(hd));
          mx = std::max(mx, sc[j]);
        }
        for (int j = 0; j <= t; ++j) sum += (sc[j] = std::exp(sc[j] - mx));
        for (int j = 0; j <= t; ++j) {
          for (int i = 0; i < hd; ++i) att[h * hd + i] += sc[j] / sum * v[j][g * hd + i];
        }
      }
      const std::vector<double> o = matvec(m.Values(b + "attn_output.weight"), E, s.n_head * hd, att);
      for (int i = 0; i < E; ++i) x[t][i] += o[i];
      const std::vector<double> h2 = rmsnorm(x[t], m.Values(b + "ffn_norm.weight"));
      std::vector<double> gate = matvec(m.Values(b + "ffn_gate.weight"), F, E, h2);
      const std::vector<double> up = matvec(m.Values(b + "ffn_up.weight"), F, E, h2);
      for (int i = 0; i < F; ++i) gate[i] = gate[i] / (1.0 + std::exp(-gate[i])) * up[i];
      const std::vector<double> down = matvec(m.Values(b + "ffn_down.weight"), E, F, gate);
      for (int i = 0; i < E; ++i) x[t][i] += down[i];
    }
  }
  std::vector<double> logits;
  const std::vector<float>& out = m.Values(s.tied ? "token_embd.weight" : "output.weight");
  for (int t = 0; t < n; ++t) {
    const std::vector<double> normed = rmsnorm(x[t], m.Values("output_norm.weight"));
    if (hidden != nullptr) hidden->push_back(normed);
    const std::vector<double> y = matvec(out, V, E, normed);
    logits.insert(logits.end(), y.begin(), y.end());
  }
  return logits;
}

double MaxAbs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, std::fabs(double{x}));
  return m;
}

std::vector<int32_t> Sequence(int n, int n_vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t;
  for (int i = 0; i < n; ++i) t.push_back(static_cast<int32_t>(rng() % static_cast<uint32_t>(n_vocab)));
  return t;
}

// ---- tests ------------------------------------------------------------------

TEST(ModelOpen, ReadsConfigAndTokenizer) {
  TempDir dir;
  TinySpec spec;
  spec.arch = "qwen2";
  spec.bias = true;
  spec.tied = true;
  auto model = OpenTiny(MakeTiny(spec), dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ModelConfig& c = (*model)->config();
  EXPECT_EQ(c.arch, "qwen2");
  EXPECT_EQ(c.name, "tiny-qwen2");
  EXPECT_EQ(c.n_vocab, 40);
  EXPECT_EQ(c.n_embd, 32);
  EXPECT_EQ(c.n_layer, 2);
  EXPECT_EQ(c.n_head, 4);
  EXPECT_EQ(c.n_head_kv, 2);
  EXPECT_EQ(c.head_dim, 8);
  EXPECT_EQ(c.n_rot, 8);
  EXPECT_EQ(c.n_ff, 64);
  EXPECT_EQ(c.context_length, 96);
  EXPECT_EQ(c.rope, RopeKind::kNeox);
  EXPECT_TRUE(c.tied_embeddings);
  EXPECT_FLOAT_EQ(c.rms_eps, 1e-5f);
  EXPECT_EQ((*model)->tokenizer().vocab_size(), 40);
  EXPECT_EQ((*model)->chat_template(), "{{ messages }}");
  EXPECT_GT((*model)->weight_bytes(), 0u);
}

TEST(ModelOpen, RefusesUnsupportedArchitecture) {
  TempDir dir;
  TinySpec spec;
  spec.arch = "gpt2";
  auto model = OpenTiny(MakeTiny(spec), dir);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(model.status().message(),
              HasSubstr("unsupported architecture 'gpt2' (supported: llama, qwen2)"));
}

TEST(ModelOpen, RefusesMissingTensor) {
  TempDir dir;
  TinyModel m = MakeTiny({});
  std::erase_if(m.tensors, [](const TensorSpec& t) { return t.name == "blk.1.ffn_up.weight"; });
  auto model = OpenTiny(m, dir);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("missing tensor blk.1.ffn_up.weight"));
}

TEST(ModelOpen, RefusesWrongShape) {
  TempDir dir;
  TinyModel m = MakeTiny({});
  TensorSpec* k = m.Find("blk.0.attn_k.weight");
  k->ne = {32, 32};  // n_head_kv·head_dim is 16
  k->values.resize(32 * 32);
  auto model = OpenTiny(m, dir);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(),
              HasSubstr("tensor blk.0.attn_k.weight has shape [32, 32], expected [32, 16]"));
}

TEST(ModelOpen, RefusesUnsupportedType) {
  TempDir dir;
  TinyModel m = MakeTiny({});
  TensorSpec* up = m.Find("blk.0.ffn_up.weight");  // (64, 32): 64 rows of one Q5_0 block
  up->type = gguf::GgmlType::kQ5_0;
  up->raw.assign(64 * 22, 0);
  auto model = OpenTiny(m, dir);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(),
              HasSubstr("tensor blk.0.ffn_up.weight has unsupported type Q5_0"));
}

TEST(ModelOpen, RefusesMissingHyperParameter) {
  TempDir dir;
  TinyModel m = MakeTiny({});
  gguf::GgufWriter w;
  ASSERT_TRUE(w.SetString("general.architecture", "llama").ok());
  ASSERT_TRUE(w.SetU32("llama.embedding_length", 32).ok());
  const std::string path = dir.File("bare.gguf");
  ASSERT_TRUE(w.WriteFile(path).ok());
  auto model = Model::Open(path);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("llama.block_count"));
}

TEST(ModelOpen, RefusesHostileCountsWithoutAllocating) {
  TempDir dir;
  TinySpec spec;
  spec.n_layer = 1 << 30;  // the file holds 2 layers' tensors
  TinyModel m = MakeTiny(TinySpec{});
  m.spec = spec;
  auto model = OpenTiny(m, dir);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("missing tensor blk.2.attn_norm.weight"));

  m.spec = TinySpec{};
  m.spec.context_length = 1 << 30;
  model = OpenTiny(m, dir);
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("context_length = 1073741824 is above"));
}

TEST(ModelOpen, MissingFileIsNotFound) {
  auto model = Model::Open("/nonexistent/model.gguf");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), ErrorCode::kNotFound);
}

// ---- Ollama store -----------------------------------------------------------

class OllamaStore : public ::testing::Test {
 protected:
  static constexpr const char* kHex =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  void WriteManifest(const std::string& ns, const std::string& name, const std::string& tag,
                     const std::string& json) {
    const fs::path d = dir_.path() / "manifests" / "registry.ollama.ai" / ns / name;
    fs::create_directories(d);
    std::ofstream(d / tag) << json;
  }
  static std::string Manifest(const std::string& digest) {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
           R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:)" +
           std::string(64, 'f') + R"(","size":10},"layers":[)"
           R"({"mediaType":"application/vnd.ollama.image.template","digest":"sha256:)" +
           std::string(64, 'e') + R"(","size":5},)"
           R"({"mediaType":"application/vnd.ollama.image.model","digest":")" + digest +
           R"(","size":1234}]})";
  }
  std::string Blob() const { return (dir_.path() / "blobs" / ("sha256-" + std::string(kHex))).string(); }

  TempDir dir_;
};

TEST_F(OllamaStore, ResolvesNameAndTag) {
  WriteManifest("library", "tiny", "latest", Manifest(std::string("sha256:") + kHex));
  WriteManifest("library", "tiny", "q8", Manifest(std::string("sha256:") + kHex));
  fs::create_directories(dir_.path() / "blobs");
  std::ofstream(Blob()) << "x";
  for (const char* ref : {"tiny", "tiny:latest", "tiny:q8"}) {
    auto path = ResolveOllamaModel(ref, dir_.path().string());
    ASSERT_TRUE(path.ok()) << ref << ": " << path.status().ToString();
    EXPECT_EQ(*path, Blob());
  }
}

TEST_F(OllamaStore, ResolvesNamespacedName) {
  WriteManifest("someone", "tiny", "v1", Manifest(std::string("sha256:") + kHex));
  fs::create_directories(dir_.path() / "blobs");
  std::ofstream(Blob()) << "x";
  auto path = ResolveOllamaModel("someone/tiny:v1", dir_.path().string());
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, Blob());
}

TEST_F(OllamaStore, ReportsEachMissingPiece) {
  const std::string root = dir_.path().string();
  auto no_manifest = ResolveOllamaModel("tiny:7b", root);
  ASSERT_FALSE(no_manifest.ok());
  EXPECT_EQ(no_manifest.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(no_manifest.status().message(), HasSubstr("no manifest for 'tiny:7b'"));

  WriteManifest("library", "tiny", "latest", Manifest(std::string("sha256:") + kHex));
  auto no_blob = ResolveOllamaModel("tiny", root);
  ASSERT_FALSE(no_blob.ok());
  EXPECT_EQ(no_blob.status().code(), ErrorCode::kNotFound);
  EXPECT_THAT(no_blob.status().message(), HasSubstr("model blob"));
  EXPECT_THAT(no_blob.status().message(), HasSubstr("is missing"));

  WriteManifest("library", "nolayer", "latest", R"({"layers":[{"mediaType":"x","digest":"y"}]})");
  auto no_layer = ResolveOllamaModel("nolayer", root);
  ASSERT_FALSE(no_layer.ok());
  EXPECT_THAT(no_layer.status().message(),
              HasSubstr("no layer of mediaType application/vnd.ollama.image.model"));

  WriteManifest("library", "garbage", "latest", "{not json");
  auto garbage = ResolveOllamaModel("garbage", root);
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(garbage.status().message(), HasSubstr("is not JSON"));

  WriteManifest("library", "nolayers", "latest", R"({"config":{}})");
  auto no_layers = ResolveOllamaModel("nolayers", root);
  ASSERT_FALSE(no_layers.ok());
  EXPECT_THAT(no_layers.status().message(), HasSubstr("no \"layers\" array"));
}

TEST_F(OllamaStore, RefusesHostileDigestsAndNames) {
  const std::string root = dir_.path().string();
  const std::vector<std::string> digests = {"sha256:../../etc/passwd", "md5:abc",
                                            "sha256:" + std::string(64, 'A'), "sha256:abc"};
  for (const std::string& digest : digests) {
    WriteManifest("library", "evil", "latest", Manifest(digest));
    auto r = ResolveOllamaModel("evil", root);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("malformed digest"));
  }
  for (const char* ref : {"../x", "a:..", "", "a:", "a/b/c", "x:y:z"}) {
    auto r = ResolveOllamaModel(ref, root);
    ASSERT_FALSE(r.ok()) << ref;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument) << ref;
  }
}

TEST_F(OllamaStore, ModelOpenLoadsFromTheStore) {
  TinyModel m = MakeTiny({});
  fs::create_directories(dir_.path() / "blobs");
  WriteTiny(m, Blob());
  WriteManifest("library", "tiny", "latest", Manifest(std::string("sha256:") + kHex));
  const char* old = std::getenv("OLLAMA_MODELS");
  const std::string saved = old != nullptr ? old : "";
  ::setenv("OLLAMA_MODELS", dir_.path().c_str(), 1);
  auto model = Model::Open("ollama:tiny");
  auto missing = Model::Open("ollama:tiny:nope");
  if (old != nullptr) {
    ::setenv("OLLAMA_MODELS", saved.c_str(), 1);
  } else {
    ::unsetenv("OLLAMA_MODELS");
  }
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->config().n_layer, 2);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
}

// ---- forward pass -----------------------------------------------------------

struct ForwardCase {
  const char* name;
  std::string arch;
  bool bias;
  bool tied;
  int n_head_kv;
};

void PrintTo(const ForwardCase& c, std::ostream* os) { *os << c.name; }

class ForwardTest : public ::testing::TestWithParam<ForwardCase> {
 protected:
  TinyModel MakeModel() const {
    TinySpec spec;
    spec.arch = GetParam().arch;
    spec.bias = GetParam().bias;
    spec.tied = GetParam().tied;
    spec.n_head_kv = GetParam().n_head_kv;
    return MakeTiny(spec);
  }
};

TEST_P(ForwardTest, MatchesNaiveReference) {
  TempDir dir;
  const TinyModel m = MakeModel();
  auto model = OpenTiny(m, dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const int V = m.spec.n_vocab;
  const std::vector<int32_t> tokens = Sequence(21, V, 3);
  ThreadPool pool(2);
  auto cache = (*model)->NewCache(64);
  std::vector<float> logits(tokens.size() * V);
  ASSERT_TRUE((*model)->Forward(tokens, *cache, pool, logits).ok());
  const std::vector<double> want = ReferenceLogits(m, tokens);
  const double scale = MaxAbs(logits);
  ASSERT_GT(scale, 0.5);
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::fabs(logits[i] - want[i]));
  // F16 keys/values bound the agreement (2^-11 relative per element).
  EXPECT_LT(worst, 2e-3 * scale) << "max |logit| " << scale;
}

TEST_P(ForwardTest, CacheGivesTheSameLogitsWhateverTheSplit) {
  TempDir dir;
  auto model = OpenTiny(MakeModel(), dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const int V = (*model)->config().n_vocab;
  const std::vector<int32_t> tokens = Sequence(17, V, 11);
  const int n = static_cast<int>(tokens.size());
  ThreadPool pool(2);

  auto all_cache = (*model)->NewCache(32);
  std::vector<float> all(static_cast<size_t>(n * V));
  ASSERT_TRUE((*model)->Forward(tokens, *all_cache, pool, all).ok());
  EXPECT_EQ(all_cache->size(), n);
  const double tol = 1e-4 * MaxAbs(all);

  // Token by token.
  auto one_cache = (*model)->NewCache(32);
  std::vector<float> step(static_cast<size_t>(V));
  for (int t = 0; t < n; ++t) {
    ASSERT_TRUE((*model)->Forward(std::span(tokens).subspan(t, 1), *one_cache, pool, step).ok());
    for (int i = 0; i < V; ++i) ASSERT_NEAR(step[i], all[static_cast<size_t>(t * V + i)], tol) << t;
  }
  // Split 5 + 12: the second call's all-logits and last-logits both match.
  auto split_cache = (*model)->NewCache(32);
  std::vector<float> first(5 * static_cast<size_t>(V));
  ASSERT_TRUE((*model)->Forward(std::span(tokens).first(5), *split_cache, pool, first).ok());
  std::vector<float> rest(12 * static_cast<size_t>(V));
  ASSERT_TRUE((*model)->Forward(std::span(tokens).subspan(5), *split_cache, pool, rest).ok());
  for (size_t i = 0; i < first.size(); ++i) ASSERT_NEAR(first[i], all[i], tol);
  for (size_t i = 0; i < rest.size(); ++i) ASSERT_NEAR(rest[i], all[5 * V + i], tol);
  // Truncate back to 5 and replay with last-token logits only.
  split_cache->Truncate(5);
  EXPECT_EQ(split_cache->size(), 5);
  std::vector<float> last(static_cast<size_t>(V));
  ASSERT_TRUE((*model)->Forward(std::span(tokens).subspan(5), *split_cache, pool, last).ok());
  for (int i = 0; i < V; ++i) ASSERT_NEAR(last[i], all[static_cast<size_t>((n - 1) * V + i)], tol);
  // One thread gives the same answer.
  ThreadPool single(1);
  auto single_cache = (*model)->NewCache(32);
  ASSERT_TRUE((*model)->Forward(tokens, *single_cache, single, last).ok());
  for (int i = 0; i < V; ++i) ASSERT_NEAR(last[i], all[static_cast<size_t>((n - 1) * V + i)], tol);
}

INSTANTIATE_TEST_SUITE_P(Archs, ForwardTest,
                         ::testing::Values(ForwardCase{"llama_gqa", "llama", false, false, 2},
                                           ForwardCase{"llama_mha_tied", "llama", false, true, 4},
                                           ForwardCase{"qwen2_bias_gqa", "qwen2", true, true, 1}),
                         [](const ::testing::TestParamInfo<ForwardCase>& tp) {
                           return std::string(tp.param.name);
                         });

// Quantized weights: the engine multiplies them with quantized activations
// (Q8_0 / Q8_K blocks), so logits move by a fraction of a percent from the
// reference over the same (dequantized) weights; the argmax almost never does.
class QuantizedForward : public ::testing::TestWithParam<gguf::GgmlType> {};

TEST_P(QuantizedForward, StaysCloseToTheReference) {
  TempDir dir;
  TinySpec spec;
  spec.arch = "qwen2";
  spec.bias = true;
  spec.n_embd = 256;  // K-quants need rows of 256
  spec.n_head = 4;
  spec.n_head_kv = 2;
  spec.n_ff = 256;
  spec.n_vocab = 64;
  TinyModel m = MakeTiny(spec);
  QuantizeTiny(GetParam(), &m);
  auto model = OpenTiny(m, dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const int V = spec.n_vocab;
  const std::vector<int32_t> tokens = Sequence(24, V, 5);
  ThreadPool pool(2);
  auto cache = (*model)->NewCache(32);
  std::vector<float> logits(tokens.size() * V);
  ASSERT_TRUE((*model)->Forward(tokens, *cache, pool, logits).ok());
  const std::vector<double> want = ReferenceLogits(m, tokens);
  const double scale = MaxAbs(logits);
  double worst = 0;
  int agree = 0;
  for (size_t t = 0; t < tokens.size(); ++t) {
    const float* got = logits.data() + t * V;
    const double* ref = want.data() + t * V;
    for (int i = 0; i < V; ++i) worst = std::max(worst, std::fabs(got[i] - ref[i]));
    agree += std::max_element(got, got + V) - got == std::max_element(ref, ref + V) - ref;
  }
  EXPECT_LT(worst, 3e-2 * scale);
  EXPECT_GE(agree, static_cast<int>(tokens.size()) - 2);

  // The decode path (one token) agrees with the prompt path.
  auto one = (*model)->NewCache(32);
  std::vector<float> step(static_cast<size_t>(V));
  for (size_t t = 0; t < tokens.size(); ++t) {
    ASSERT_TRUE((*model)->Forward(std::span(tokens).subspan(t, 1), *one, pool, step).ok());
    for (int i = 0; i < V; ++i) ASSERT_NEAR(step[i], logits[t * V + i], 1e-4 * scale);
  }
}

INSTANTIATE_TEST_SUITE_P(Types, QuantizedForward,
                         ::testing::Values(gguf::GgmlType::kQ8_0, gguf::GgmlType::kQ4_0,
                                           gguf::GgmlType::kQ4_K, gguf::GgmlType::kQ6_K,
                                           gguf::GgmlType::kF16, gguf::GgmlType::kBF16),
                         [](const ::testing::TestParamInfo<gguf::GgmlType>& tp) {
                           return std::string(gguf::GetGgmlTypeInfo(tp.param).name);
                         });

TEST(Forward, RefusesWhatDoesNotFit) {
  TempDir dir;
  auto model = OpenTiny(MakeTiny({}), dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ThreadPool pool(1);
  auto cache = (*model)->NewCache(8);
  EXPECT_EQ(cache->capacity(), 8);
  EXPECT_EQ((*model)->NewCache(100000)->capacity(), 96);  // capped at context_length
  std::vector<float> logits(40);
  const std::vector<int32_t> nine(9, 1);
  Status st = (*model)->Forward(nine, *cache, pool, logits);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("9 tokens at position 0 do not fit in a context of 8"));
  ASSERT_TRUE((*model)->Forward(std::span(nine).first(5), *cache, pool, logits).ok());
  st = (*model)->Forward(std::span(nine).first(4), *cache, pool, logits);
  EXPECT_THAT(st.message(), HasSubstr("4 tokens at position 5 do not fit in a context of 8"));
  EXPECT_EQ(cache->size(), 5);

  const std::vector<int32_t> bad = {1, 40};
  st = (*model)->Forward(bad, *cache, pool, logits);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(st.message(), HasSubstr("token #1 has id 40, outside the vocabulary [0, 40)"));
  const std::vector<int32_t> negative = {-1};
  EXPECT_FALSE((*model)->Forward(negative, *cache, pool, logits).ok());
  EXPECT_FALSE((*model)->Forward({}, *cache, pool, logits).ok());
  std::vector<float> odd(41);
  st = (*model)->Forward(std::span(nine).first(1), *cache, pool, odd);
  EXPECT_THAT(st.message(), HasSubstr("logits has 41 floats"));
  EXPECT_EQ(cache->size(), 5);
  // An empty logits span runs the tokens without computing logits.
  ASSERT_TRUE((*model)->Forward(std::span(nine).first(3), *cache, pool, {}).ok());
  EXPECT_EQ(cache->size(), 8);
}

TEST(Forward, RefusesAnotherModelsCache) {
  TempDir dir;
  TinySpec other;
  other.arch = "qwen2";
  other.n_head_kv = 4;
  auto a = OpenTiny(MakeTiny({}), dir);
  auto b = OpenTiny(MakeTiny(other), dir);
  ASSERT_TRUE(a.ok() && b.ok());
  ThreadPool pool(1);
  auto cache = (*b)->NewCache(8);
  std::vector<float> logits(40);
  const std::vector<int32_t> one = {1};
  EXPECT_THAT((*a)->Forward(one, *cache, pool, logits).message(), HasSubstr("KV cache"));
}

TEST(Embed, IsAUnitMeanOfFinalHiddenStates) {
  TempDir dir;
  const TinyModel m = MakeTiny({});
  auto model = OpenTiny(m, dir);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ThreadPool pool(2);
  const std::vector<int32_t> a = {3, 5, 7, 9};
  const std::vector<int32_t> b = {4, 4, 2};
  auto ea = (*model)->Embed(a, pool);
  auto eb = (*model)->Embed(b, pool);
  auto ea2 = (*model)->Embed(a, pool);
  ASSERT_TRUE(ea.ok() && eb.ok() && ea2.ok());
  ASSERT_EQ(ea->size(), 32u);
  double norm = 0, dot = 0;
  for (size_t i = 0; i < ea->size(); ++i) {
    norm += (*ea)[i] * (*ea)[i];
    dot += (*ea)[i] * (*eb)[i];
  }
  EXPECT_NEAR(norm, 1.0, 1e-5);
  EXPECT_LT(dot, 0.999);
  EXPECT_EQ(*ea, *ea2);
  // Against the reference: mean of the final-normed states, L2-normalized.
  std::vector<std::vector<double>> hidden;
  ReferenceLogits(m, a, &hidden);
  std::vector<double> mean(32, 0.0);
  for (const auto& h : hidden) {
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += h[i] / static_cast<double>(hidden.size());
  }
  double mean_norm = 0;
  for (double v : mean) mean_norm += v * v;
  for (size_t i = 0; i < mean.size(); ++i) {
    EXPECT_NEAR((*ea)[i], mean[i] / std::sqrt(mean_norm), 2e-3) << i;
  }
  EXPECT_FALSE((*model)->Embed({}, pool).ok());
  EXPECT_FALSE((*model)->Embed(std::vector<int32_t>(97, 1), pool).ok());
}

}  // namespace
}  // namespace sluice::engine
