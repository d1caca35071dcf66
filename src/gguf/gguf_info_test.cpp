#include "gguf/gguf_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "gguf/escape.h"
#include "gguf/writer.h"

namespace sluice::gguf {
namespace {

using ::testing::HasSubstr;

TEST(GgufInfo, PrintsHeaderMetadataAndTensorTable) {
  GgufWriter writer;
  ASSERT_TRUE(writer.SetString("general.architecture", "llama").ok());
  ASSERT_TRUE(writer.SetU32("llama.context_length", 4096).ok());
  std::vector<std::string> tokens = {"!", "\"", "#", "$", "%", "&", "'", "(", ")", "*"};
  ASSERT_TRUE(writer.SetStringArray("tokenizer.ggml.tokens", tokens).ok());
  const float scores[] = {0.0f, -1.5f};
  ASSERT_TRUE(writer.SetArray<float>("tokenizer.ggml.scores", scores).ok());
  ASSERT_TRUE(writer.Set("tokenizer.ggml.add_bos_token", Value(true)).ok());
  ASSERT_TRUE(writer.SetString("tokenizer.chat_template", std::string(500, 'x') + "\n").ok());
  const std::vector<uint8_t> q(144 * 2);
  const uint64_t ne[] = {256, 2};
  ASSERT_TRUE(writer.AddTensor("token_embd.weight", GgmlType::kQ4_K, ne, q).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  StatusOr<GgufFile> file = ParseGguf(bytes);
  ASSERT_TRUE(file.ok());

  std::ostringstream out;
  PrintGgufInfo(*file, out);
  const std::string text = out.str();
  const std::string x120(120, 'x');
  EXPECT_EQ(text,
            "GGUF v3: 6 metadata keys, 1 tensors, alignment 32, data at offset 960, file size 1248\n"
            "\n"
            "metadata:\n"
            "  general.architecture          STRING          \"llama\"\n"
            "  llama.context_length          UINT32          4096\n"
            "  tokenizer.ggml.tokens         ARRAY[STRING]   [10 strings: \"!\", \"\\\"\", \"#\", "
            "\"$\", \"%\", \"&\", \"'\", \"(\", … ]\n"
            "  tokenizer.ggml.scores         ARRAY[FLOAT32]  [2 float32: 0, -1.5]\n"
            "  tokenizer.ggml.add_bos_token  BOOL            true\n"
            "  tokenizer.chat_template       STRING          \"" + x120 + "…\"\n"
            "\n"
            "tensors:\n"
            "  name               type     dims             bytes        size  offset\n"
            "  token_embd.weight  Q4_K     [256, 2]           288       288 B  960\n"
            "  1 tensors, 288 B (288 bytes) of tensor data\n");
}

TEST(GgufInfo, MissingFileIsNotFoundAndPrintsNothing) {
  std::ostringstream out;
  Status s = PrintGgufInfo("/nonexistent/model.gguf", out);
  EXPECT_EQ(s.code(), ErrorCode::kNotFound);
  EXPECT_TRUE(out.str().empty());
}

TEST(GgufInfo, FormatValueOfNestedAndEmptyArrays) {
  const int32_t ids[] = {1, 2, 3};
  EXPECT_EQ(FormatValue(Value(Array::OfArrays({Array::Of<int32_t>(ids), Array::OfStrings({})}))),
            "[2 arrays: [3 int32: 1, 2, 3], [0 strings]]");
  EXPECT_EQ(FormatValue(Value(-0.25)), "-0.25");
  EXPECT_EQ(FormatValue(Value(int8_t{-3})), "-3");
}

TEST(Escape, QuotesControlsAndInvalidUtf8) {
  EXPECT_EQ(EscapeBytes("plain ▁日本"), "plain ▁日本");
  EXPECT_EQ(EscapeBytes(std::string_view("a\"\\\n\t\0\x7f", 7)), "a\\\"\\\\\\n\\t\\x00\\x7f");
  EXPECT_EQ(EscapeBytes("\xff\xc3"), "\\xff\\xc3");              // invalid, truncated
  EXPECT_EQ(EscapeBytes("\xed\xa0\x80"), "\\xed\\xa0\\x80");     // surrogate
  EXPECT_EQ(EscapeBytes("\xc0\xaf"), "\\xc0\\xaf");              // overlong
  EXPECT_EQ(EscapeBytes("abc日本", 4), "abc…");                  // never splits a character
  EXPECT_EQ(EscapeBytes("abc", 3), "abc");
}

}  // namespace
}  // namespace sluice::gguf
