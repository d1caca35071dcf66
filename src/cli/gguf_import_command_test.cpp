#include "cli/gguf_import_command.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/trainer.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

class GgufImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sluice_import_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // weights.bin: a [2, 3] tensor (6 floats) then a [4] tensor.
    std::vector<float> w = {1, 2, 3, 4, 5, 6, -1.5f, 0.25f, 7, 8};
    Write("weights.bin", std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4));
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  int Run(const std::string& manifest, std::string* err) {
    Write("manifest.json", manifest);
    std::ostringstream out, e;
    int rc = RunGgufImport((dir_ / "manifest.json").string(), (dir_ / "out.gguf").string(), out, e);
    *err = e.str();
    return rc;
  }

  fs::path dir_;
};

constexpr const char* kTensors =
    R"("tensors": [{"name": "a.weight", "shape": [3, 2], "offset": 0},
                   {"name": "b.weight", "shape": [4], "offset": 24}])";

TEST_F(GgufImportTest, WritesMetadataAndTensorsExactly) {
  std::string err;
  ASSERT_EQ(Run(std::string(R"({"weights": "weights.bin", "metadata": [
      {"key": "general.architecture", "type": "string", "value": "llama"},
      {"key": "llama.block_count", "type": "u32", "value": 4},
      {"key": "llama.rope.freq_base", "type": "f32", "value": 10000.0},
      {"key": "x.flag", "type": "bool", "value": true},
      {"key": "x.neg", "type": "i32", "value": -3}], )") +
                    kTensors + "}",
                &err),
            0)
      << err;
  auto f = gguf::OpenGguf((dir_ / "out.gguf").string());
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*f->GetString("general.architecture"), "llama");
  EXPECT_EQ(*f->GetU32("llama.block_count"), 4u);
  EXPECT_EQ(*f->GetF32("llama.rope.freq_base"), 10000.0f);
  EXPECT_EQ(*f->GetBool("x.flag"), true);
  EXPECT_EQ(*f->GetI32("x.neg"), -3);
  const gguf::TensorInfo* a = f->FindTensor("a.weight");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type, gguf::GgmlType::kF32);
  ASSERT_EQ(a->n_dims, 2u);
  EXPECT_EQ(a->ne[0], 3u);
  EXPECT_EQ(a->ne[1], 2u);
  float got[6];
  ASSERT_EQ(a->data.size(), sizeof(got));
  std::memcpy(got, a->data.data(), sizeof(got));
  EXPECT_EQ(got[0], 1.0f);
  EXPECT_EQ(got[5], 6.0f);
  const gguf::TensorInfo* b = f->FindTensor("b.weight");
  ASSERT_NE(b, nullptr);
  float gb[4];
  std::memcpy(gb, b->data.data(), sizeof(gb));
  EXPECT_EQ(gb[0], -1.5f);
  EXPECT_EQ(gb[3], 8.0f);
}

TEST_F(GgufImportTest, WritesTheTokenizer) {
  tokenizer::TrainOptions opts;
  opts.vocab_size = 300;
  opts.special_tokens = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
  std::vector<std::string_view> texts = {"create table user_accounts", "generate a schema"};
  auto tok = tokenizer::TrainByteLevelBpe(texts, opts);
  ASSERT_TRUE(tok.ok()) << tok.status().message();
  auto json = tokenizer::ByteLevelTokenizerToJson(**tok);
  ASSERT_TRUE(json.ok());
  Write("tokenizer.json", *json);
  std::string err;
  ASSERT_EQ(Run(std::string(R"({"weights": "weights.bin", "tokenizer": "tokenizer.json",
      "metadata": [], )") +
                    kTensors + "}",
                &err),
            0)
      << err;
  auto f = gguf::OpenGguf((dir_ / "out.gguf").string());
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(*f->GetString("tokenizer.ggml.model"), "gpt2");
  EXPECT_EQ(*f->GetU32("tokenizer.ggml.eot_token_id"), 2u);
}

TEST_F(GgufImportTest, RefusesHostileManifests) {
  struct Case {
    std::string manifest, expect;
  };
  const std::string ok_meta = R"("metadata": [])";
  std::vector<Case> cases = {
      {"not json", "not JSON"},
      {"[]", "must be a JSON object"},
      {R"({"metadata": [], "tensors": []})", "\"weights\" must be a string"},
      {R"({"weights": "missing.bin", "metadata": [], "tensors": []})", "cannot read"},
      {R"({"weights": "weights.bin", "metadata": [], "tensors": []})", "non-empty"},
      {R"({"weights": "weights.bin", "metadata": [{"key": "k", "type": "u64", "value": 1}], )" +
           std::string(kTensors) + "}",
       "unknown type"},
      {R"({"weights": "weights.bin", "metadata": [{"key": "k", "type": "u32", "value": -1}], )" +
           std::string(kTensors) + "}",
       "non-negative"},
      {R"({"weights": "weights.bin", "metadata": [{"key": "k", "type": "u32", "value": 5000000000}], )" +
           std::string(kTensors) + "}",
       "exceeds u32"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [4, 4], "offset": 0}]})",
       "outside the weights file"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [1], "offset": 18446744073709551615}]})",
       "outside the weights file"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [4294967296, 4294967296], "offset": 0}]})",
       "too large"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [], "offset": 0}]})",
       "1 to 4 dimensions"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [0], "offset": 0}]})",
       "dimension out of range"},
      {R"({"weights": "weights.bin", )" + ok_meta +
           R"(, "tensors": [{"name": "a", "shape": [1], "offset": 0},
                            {"name": "a", "shape": [1], "offset": 4}]})",
       "a"},
      {R"({"weights": "weights.bin", "tokenizer": 3, )" + ok_meta + ", " + kTensors + "}",
       "\"tokenizer\" must be a string"},
  };
  for (const Case& c : cases) {
    std::string err;
    EXPECT_EQ(Run(c.manifest, &err), 1) << c.manifest;
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.manifest << "\n -> " << err;
    EXPECT_FALSE(fs::exists(dir_ / "out.gguf")) << c.manifest;
  }
}

}  // namespace
}  // namespace sluice::cli
