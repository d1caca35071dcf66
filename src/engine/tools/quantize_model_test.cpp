#include "engine/tools/quantize_model.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/tools/random_model.h"
#include "gguf/gguf_file.h"

namespace sluice::engine::tools {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("sluice_quantize_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

RandomModelOptions SmallQwen() {
  RandomModelOptions o;
  o.arch = "qwen2";
  o.n_vocab = 300;
  o.n_embd = 256;
  o.n_layer = 1;
  o.n_head = 4;
  o.n_head_kv = 2;
  o.n_ff = 96;  // ffn_down rows are 96 wide: not whole K-quant super-blocks
  o.seed = 7;
  return o;
}

// Quantizing an F32 random model gives, tensor for tensor, the bytes that
// writing the random model directly in that type gives (same values, same encoder).
TEST(QuantizeModel, F32ToEachTypeEqualsWritingThatTypeDirectly) {
  RandomModelOptions o = SmallQwen();
  const std::string f32 = TempPath("f32.gguf");
  ASSERT_TRUE(WriteRandomModel(o, f32).ok());
  for (gguf::GgmlType type : {gguf::GgmlType::kQ8_0, gguf::GgmlType::kQ4_0, gguf::GgmlType::kQ4_K,
                              gguf::GgmlType::kQ6_K, gguf::GgmlType::kF16, gguf::GgmlType::kBF16}) {
    SCOPED_TRACE(gguf::GetGgmlTypeInfo(type).name);
    const std::string direct = TempPath("direct.gguf"), converted = TempPath("converted.gguf");
    o.type = type;
    ASSERT_TRUE(WriteRandomModel(o, direct).ok());
    QuantizeReport report;
    Status s = QuantizeModel(f32, converted, type, &report);
    ASSERT_TRUE(s.ok()) << s.message();
    StatusOr<gguf::GgufFile> a = gguf::OpenGguf(direct), b = gguf::OpenGguf(converted);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->tensors().size(), b->tensors().size());
    for (const gguf::TensorInfo& ta : a->tensors()) {
      const gguf::TensorInfo* tb = b->FindTensor(ta.name);
      ASSERT_NE(tb, nullptr) << ta.name;
      EXPECT_EQ(ta.type, tb->type) << ta.name;
      EXPECT_TRUE(std::ranges::equal(ta.data, tb->data)) << ta.name;
    }
    EXPECT_EQ(report.n_converted, 9);  // token_embd, output, 7 matrices in the layer
    EXPECT_EQ(report.n_copied, 6);     // attn_norm, ffn_norm, output_norm, 3 biases
    const bool k_quant = type == gguf::GgmlType::kQ4_K || type == gguf::GgmlType::kQ6_K;
    EXPECT_EQ(report.n_fallback, k_quant ? 1 : 0);  // ffn_down
    // Metadata is copied (tokenizer included); file_type follows the new type.
    EXPECT_EQ(*b->GetString("general.architecture"), "qwen2");
    EXPECT_EQ(b->GetStringArray("tokenizer.ggml.tokens")->size(), 300u);
    EXPECT_EQ(*b->GetU32("general.file_type"), *a->GetU32("general.file_type"));
    std::filesystem::remove(direct);
    std::filesystem::remove(converted);
  }
  std::filesystem::remove(f32);
}

TEST(QuantizeModel, TensorsAlreadyInTheTargetTypeAreCopiedNotRequantized) {
  RandomModelOptions o = SmallQwen();
  o.type = gguf::GgmlType::kQ4_K;  // Q4_K except ffn_down (Q8_0 fallback)
  const std::string in = TempPath("in.gguf"), out = TempPath("out.gguf");
  ASSERT_TRUE(WriteRandomModel(o, in).ok());
  QuantizeReport report;
  ASSERT_TRUE(QuantizeModel(in, out, gguf::GgmlType::kQ4_K, &report).ok());
  EXPECT_EQ(report.n_converted, 0);
  EXPECT_EQ(report.in_bytes, report.out_bytes);
  StatusOr<gguf::GgufFile> a = gguf::OpenGguf(in), b = gguf::OpenGguf(out);
  ASSERT_TRUE(a.ok() && b.ok());
  for (const gguf::TensorInfo& ta : a->tensors()) {
    EXPECT_TRUE(std::ranges::equal(ta.data, b->FindTensor(ta.name)->data)) << ta.name;
  }
  std::filesystem::remove(in);
  std::filesystem::remove(out);
}

TEST(QuantizeModel, MissingInputIsAnError) {
  QuantizeReport report;
  EXPECT_FALSE(QuantizeModel(TempPath("absent.gguf"), TempPath("out.gguf"), gguf::GgmlType::kQ8_0,
                             &report)
                   .ok());
}

}  // namespace
}  // namespace sluice::engine::tools
