// Loading (and, for byte-level BPE, writing) Hugging Face tokenizer.json files.
//
// Supported, exactly as Hugging Face tokenizers 0.2x runs them:
//   model:          BPE (byte-level; SentencePiece-style with byte_fallback,
//                   fuse_unk, ignore_merges), WordPiece
//   normalizer:     null, NFC, Lowercase, Prepend, Replace (string pattern),
//                   BertNormalizer, Sequence of these
//   pre_tokenizer:  null, ByteLevel, Split with the GPT-2 / Llama-3 (cl100k) /
//                   Qwen2 / o200k patterns (compared verbatim), Sequence of a
//                   Split and ByteLevel(use_regex = false), BertPreTokenizer,
//                   Metaspace
//   post_processor: null, TemplateProcessing (single), RobertaProcessing,
//                   BertProcessing, ByteLevel, Sequence of these
//   decoder:        ByteLevel, WordPiece, Metaspace, Sequence of Replace("▁",
//                   " ") / ByteFallback / Fuse / Strip(" ", ≤1, 0)
//   added_tokens:   special or not, lstrip, rstrip (single_word is refused)
// Anything else — another model type, a regex this module has no scanner for,
// dropout, a normalizer like NFKC — is refused with kInvalidArgument naming
// the piece, never tokenized differently.
//
// Thread safety: the functions are thread-safe; results are immutable.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "tokenizer/pretokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sluice::tokenizer {

// Parses the contents of a tokenizer.json.
StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerJson(std::string_view json);

// Reads and parses a tokenizer.json file (kNotFound if it cannot be read).
StatusOr<std::shared_ptr<const Tokenizer>> LoadTokenizerJsonFile(const std::string& path);

// Serializes a byte-level BPE tokenizer (e.g. one the trainer made) as a
// tokenizer.json that LoadTokenizerJson — and Hugging Face tokenizers — read
// back to the same tokenizer. Other models give kInvalidArgument.
StatusOr<std::string> ByteLevelTokenizerToJson(const Tokenizer& tokenizer);

// The Split regex Hugging Face files spell for a pre-tokenizer kind (kGpt2,
// kLlama3, kQwen2, kO200k); empty for the others.
std::string_view SplitPatternOf(PreTokenizerKind kind);

}  // namespace sluice::tokenizer
