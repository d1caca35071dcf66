#include "engine/tools/random_model.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/tools/encode.h"
#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer_gguf.h"

namespace sluice::engine::tools {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("sluice_tools_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(RandomModel, Qwen2HasTheMetadataTensorsAndTokenizerOfARealFile) {
  RandomModelOptions o;
  o.arch = "qwen2";
  o.n_vocab = 300;
  o.n_embd = 64;
  o.n_layer = 2;
  o.n_head = 4;
  o.n_head_kv = 2;
  o.n_ff = 96;
  o.tied = true;
  const std::string path = TempPath("qwen2.gguf");
  ASSERT_TRUE(WriteRandomModel(o, path).ok());
  StatusOr<gguf::GgufFile> f = gguf::OpenGguf(path);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*f->GetString("general.architecture"), "qwen2");
  EXPECT_EQ(*f->GetU32("qwen2.embedding_length"), 64u);
  EXPECT_EQ(*f->GetU32("qwen2.block_count"), 2u);
  EXPECT_EQ(*f->GetU32("qwen2.feed_forward_length"), 96u);
  EXPECT_EQ(*f->GetU32("qwen2.attention.head_count"), 4u);
  EXPECT_EQ(*f->GetU32("qwen2.attention.head_count_kv"), 2u);
  EXPECT_FLOAT_EQ(*f->GetF32("qwen2.rope.freq_base"), 10000.0f);
  EXPECT_FLOAT_EQ(*f->GetF32("qwen2.attention.layer_norm_rms_epsilon"), 1e-5f);
  EXPECT_TRUE(f->GetString("tokenizer.chat_template").ok());

  const gguf::TensorInfo* embd = f->FindTensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->ne[0], 64u);  // ggml: ne = [n_embd, n_vocab]
  EXPECT_EQ(embd->ne[1], 300u);
  EXPECT_EQ(f->FindTensor("output.weight"), nullptr);  // tied
  const gguf::TensorInfo* k = f->FindTensor("blk.1.attn_k.weight");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->ne[0], 64u);
  EXPECT_EQ(k->ne[1], 32u);  // 2 kv heads × 16
  ASSERT_NE(f->FindTensor("blk.1.attn_k.bias"), nullptr);
  ASSERT_NE(f->FindTensor("blk.0.ffn_down.weight"), nullptr);
  EXPECT_EQ(f->FindTensor("blk.0.ffn_down.weight")->ne[0], 96u);

  // Weights ~ N(0, 0.02²).
  const auto* w = reinterpret_cast<const float*>(embd->data.data());
  double sum2 = 0;
  for (uint64_t i = 0; i < embd->n_elements; ++i) sum2 += double{w[i]} * w[i];
  EXPECT_NEAR(std::sqrt(sum2 / static_cast<double>(embd->n_elements)), 0.02, 0.002);

  StatusOr<std::shared_ptr<const tokenizer::Tokenizer>> tok = tokenizer::LoadFromGguf(*f);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  EXPECT_EQ((*tok)->TokenId("<|im_start|>"), 298);
  const std::vector<int32_t> ids = (*tok)->Encode("<|im_start|>hello world");
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids[0], 298);
  EXPECT_EQ((*tok)->Decode(ids), "<|im_start|>hello world");
  std::filesystem::remove(path);
}

TEST(RandomModel, SameSeedSameFileAndUntiedLlamaHasOutput) {
  RandomModelOptions o;
  o.n_vocab = 260;
  o.n_embd = 32;
  o.n_layer = 1;
  o.n_head = 2;
  o.n_head_kv = 1;
  o.n_ff = 64;
  const std::string a = TempPath("a.gguf"), b = TempPath("b.gguf");
  ASSERT_TRUE(WriteRandomModel(o, a).ok());
  ASSERT_TRUE(WriteRandomModel(o, b).ok());
  StatusOr<gguf::GgufFile> fa = gguf::OpenGguf(a), fb = gguf::OpenGguf(b);
  ASSERT_TRUE(fa.ok() && fb.ok());
  ASSERT_EQ(fa->file_size(), fb->file_size());
  EXPECT_TRUE(std::equal(fa->bytes().begin(), fa->bytes().end(), fb->bytes().begin()));
  EXPECT_NE(fa->FindTensor("output.weight"), nullptr);
  EXPECT_EQ(fa->FindTensor("blk.0.attn_q.bias"), nullptr);  // llama: no biases
  std::filesystem::remove(a);
  std::filesystem::remove(b);
}

TEST(RandomModel, KQuantFallsBackToQ8_0ForRowsThatAreNotWholeSuperBlocks) {
  RandomModelOptions o;
  o.n_vocab = 260;
  o.n_embd = 256;
  o.n_layer = 1;
  o.n_head = 8;
  o.n_head_kv = 8;
  o.n_ff = 96;  // ffn_down rows are 96 wide
  o.type = gguf::GgmlType::kQ4_K;
  const std::string path = TempPath("q4k.gguf");
  ASSERT_TRUE(WriteRandomModel(o, path).ok());
  StatusOr<gguf::GgufFile> f = gguf::OpenGguf(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->FindTensor("blk.0.ffn_up.weight")->type, gguf::GgmlType::kQ4_K);
  EXPECT_EQ(f->FindTensor("blk.0.ffn_down.weight")->type, gguf::GgmlType::kQ8_0);
  EXPECT_EQ(f->FindTensor("blk.0.ffn_norm.weight")->type, gguf::GgmlType::kF32);
  std::filesystem::remove(path);
}

TEST(RandomModel, RefusesBadShapes) {
  RandomModelOptions o;
  o.n_head = 3;  // 64 % 3 != 0
  EXPECT_EQ(WriteRandomModel(o, TempPath("x.gguf")).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.n_head_kv = 3;
  EXPECT_EQ(WriteRandomModel(o, TempPath("x.gguf")).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.n_vocab = 100;
  EXPECT_EQ(WriteRandomModel(o, TempPath("x.gguf")).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.arch = "gpt2";
  EXPECT_EQ(WriteRandomModel(o, TempPath("x.gguf")).code(), ErrorCode::kInvalidArgument);
  o = {};
  o.type = gguf::GgmlType::kQ8_0;
  o.n_ff = 40;
  EXPECT_EQ(WriteRandomModel(o, TempPath("x.gguf")).code(), ErrorCode::kInvalidArgument);
}

TEST(Encode, ParsesTypeFlags) {
  EXPECT_EQ(ParseWeightType("Q4_K"), gguf::GgmlType::kQ4_K);
  EXPECT_EQ(ParseWeightType("bf16"), gguf::GgmlType::kBF16);
  EXPECT_FALSE(ParseWeightType("q5_0").has_value());
  EXPECT_EQ(WeightTypeFlagName(gguf::GgmlType::kQ6_K), "q6_k");
}

}  // namespace
}  // namespace sluice::engine::tools
