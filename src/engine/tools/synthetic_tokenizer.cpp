#include "engine/tools/synthetic_tokenizer.h"

#include <string>
#include <vector>

#include "base/utf8.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer.h"

namespace sluice::engine::tools {
namespace {

constexpr std::string_view kChatMl =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] "
    "+ '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' "
    "}}{% endif %}";

std::string ByteText(unsigned char b) {
  std::string s;
  AppendUtf8(tokenizer::ByteToUnicode(b), &s);
  return s;
}

}  // namespace

Status WriteSyntheticTokenizer(std::string_view arch, int32_t n_vocab, gguf::GgufWriter* writer) {
  if (n_vocab < kMinSyntheticVocab) {
    return Status(ErrorCode::kInvalidArgument,
                  "a synthetic vocabulary needs at least " + std::to_string(kMinSyntheticVocab) +
                      " tokens (256 bytes + 3 specials), not " + std::to_string(n_vocab));
  }
  const auto n = static_cast<size_t>(n_vocab);
  std::vector<std::string> tokens;
  std::vector<int32_t> types;
  std::vector<std::string> merges;
  tokens.reserve(n);
  types.reserve(n);
  for (int b = 0; b < 256; ++b) {
    tokens.push_back(ByteText(static_cast<unsigned char>(b)));
    types.push_back(static_cast<int32_t>(tokenizer::TokenType::kNormal));
  }
  const size_t n_merge_room = n - 3 - 256;
  // "Ġa".."Ġz", then "aa".."zz": each merge's parts are byte tokens.
  const std::string space = ByteText(' ');
  for (int i = 0; i < 26 + 26 * 26 && merges.size() < n_merge_room; ++i) {
    std::string left, right;
    if (i < 26) {
      left = space;
      right = std::string(1, static_cast<char>('a' + i));
    } else {
      left = std::string(1, static_cast<char>('a' + (i - 26) / 26));
      right = std::string(1, static_cast<char>('a' + (i - 26) % 26));
    }
    merges.push_back(left + " " + right);
    tokens.push_back(left + right);
    types.push_back(static_cast<int32_t>(tokenizer::TokenType::kNormal));
  }
  while (tokens.size() < n - 3) {
    tokens.push_back("<|unused_" + std::to_string(tokens.size()) + "|>");
    types.push_back(static_cast<int32_t>(tokenizer::TokenType::kUnused));
  }
  const auto endoftext = static_cast<uint32_t>(n - 3);
  for (std::string_view special : {"<|endoftext|>", "<|im_start|>", "<|im_end|>"}) {
    tokens.emplace_back(special);
    types.push_back(static_cast<int32_t>(tokenizer::TokenType::kControl));
  }
  const std::string_view pre = arch == "qwen2" ? "qwen2" : "llama-bpe";
  SLUICE_RETURN_IF_ERROR(writer->SetString("tokenizer.ggml.model", "gpt2"));
  SLUICE_RETURN_IF_ERROR(writer->SetString("tokenizer.ggml.pre", pre));
  SLUICE_RETURN_IF_ERROR(writer->SetStringArray("tokenizer.ggml.tokens", tokens));
  SLUICE_RETURN_IF_ERROR(writer->SetArray<int32_t>("tokenizer.ggml.token_type", types));
  SLUICE_RETURN_IF_ERROR(writer->SetStringArray("tokenizer.ggml.merges", merges));
  SLUICE_RETURN_IF_ERROR(writer->SetU32("tokenizer.ggml.bos_token_id", endoftext));
  SLUICE_RETURN_IF_ERROR(writer->SetU32("tokenizer.ggml.eos_token_id", endoftext + 2));  // <|im_end|>
  SLUICE_RETURN_IF_ERROR(writer->SetU32("tokenizer.ggml.padding_token_id", endoftext));
  SLUICE_RETURN_IF_ERROR(writer->Set("tokenizer.ggml.add_bos_token", gguf::Value(false)));
  SLUICE_RETURN_IF_ERROR(writer->SetString("tokenizer.chat_template", kChatMl));
  return Status::Ok();
}

}  // namespace sluice::engine::tools
