#include "tokenizer/pretokenizer/pretokenizer.h"

#include <string>
#include <utility>

#include "tokenizer/pretokenizer/internal/scan.h"

namespace sluice::tokenizer {
namespace {

// BertPreTokenizer: drop White_Space, isolate each punctuation code point,
// keep everything else together.
void SplitBert(std::string_view text, std::vector<std::string_view>* out) {
  const char* p = text.data();
  const char* const e = p + text.size();
  while (p < e) {
    const internal::Cp c = internal::At(p, e);
    if (c.cls & kClassSpace) {
      p += c.len;
    } else if (c.cls & kClassBertPunct) {
      out->emplace_back(p, static_cast<size_t>(c.len));
      p += c.len;
    } else {
      const char* q = internal::SkipWhile(p + c.len, e, [](uint8_t k) {
        return (k & (kClassSpace | kClassBertPunct)) == 0;
      });
      out->emplace_back(p, static_cast<size_t>(q - p));
      p = q;
    }
  }
}

}  // namespace

void PreTokenize(PreTokenizerKind kind, std::string_view text, std::vector<std::string_view>* out) {
  switch (kind) {
    case PreTokenizerKind::kBert:
      SplitBert(text, out);
      return;
    case PreTokenizerKind::kNone:
      if (!text.empty()) out->push_back(text);
      return;
    default:
      internal::SplitRegex(kind, text, out);
      return;
  }
}

StatusOr<PreTokenizerKind> PreTokenizerFromGgufName(std::string_view name) {
  static constexpr std::pair<std::string_view, PreTokenizerKind> kNames[] = {
      {"gpt2", PreTokenizerKind::kGpt2},          {"gpt-2", PreTokenizerKind::kGpt2},
      {"phi-2", PreTokenizerKind::kGpt2},         {"roberta-bpe", PreTokenizerKind::kGpt2},
      {"llama3", PreTokenizerKind::kLlama3},      {"llama-v3", PreTokenizerKind::kLlama3},
      {"llama-bpe", PreTokenizerKind::kLlama3},   {"falcon3", PreTokenizerKind::kLlama3},
      {"cl100k", PreTokenizerKind::kLlama3},      {"cl100k_base", PreTokenizerKind::kLlama3},
      {"qwen2", PreTokenizerKind::kQwen2},        {"deepseek-r1-qwen", PreTokenizerKind::kQwen2},
      {"gpt-4o", PreTokenizerKind::kO200k},       {"o200k", PreTokenizerKind::kO200k},
      {"o200k_base", PreTokenizerKind::kO200k},   {"llama4", PreTokenizerKind::kO200k},
      {"bert", PreTokenizerKind::kBert},          {"default", PreTokenizerKind::kNone},
      {"none", PreTokenizerKind::kNone},          {"", PreTokenizerKind::kNone},
  };
  for (const auto& [n, kind] : kNames) {
    if (n == name) return kind;
  }
  return Status(ErrorCode::kInvalidArgument,
                "unsupported pre-tokenizer \"" + std::string(name) + "\" (tokenizer.ggml.pre)");
}

std::string_view PreTokenizerName(PreTokenizerKind kind) {
  switch (kind) {
    case PreTokenizerKind::kGpt2: return "gpt2";
    case PreTokenizerKind::kLlama3: return "llama3";
    case PreTokenizerKind::kQwen2: return "qwen2";
    case PreTokenizerKind::kO200k: return "o200k";
    case PreTokenizerKind::kBert: return "bert";
    case PreTokenizerKind::kNone: return "none";
  }
  return "none";
}

}  // namespace sluice::tokenizer
