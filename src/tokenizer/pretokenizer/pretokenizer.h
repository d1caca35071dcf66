// Pre-tokenizers: split text into the pieces a BPE / WordPiece model encodes
// one at a time.
//
// The regex-based kinds reproduce, exactly, the leftmost-first alternation of
// the published patterns (GPT-2, cl100k / Llama-3, Qwen2, o200k) with
// hand-written code-point scanners: linear time, no recursion, no std::regex.
// `\s` means Unicode White_Space, as in the Rust / Oniguruma engines behind
// tiktoken and Hugging Face tokenizers; `(?i:'s|...)` uses Unicode simple case
// folding, so `'ſ` (U+017F LONG S) counts as `'s`. Invalid UTF-8 bytes behave
// like U+FFFD (see unicode.h), one piece boundary candidate per byte.
//
// Thread safety: all functions are pure and thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::tokenizer {

enum class PreTokenizerKind {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  kGpt2,
  // cl100k_base / Llama-3:
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
  //  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  kLlama3,
  // Qwen2 / Qwen3: as kLlama3 but \p{N} (one digit per piece).
  kQwen2,
  // o200k_base (GPT-4o, Llama-4): case-aware letter runs with trailing
  // contractions, \p{N}{1,3}, punctuation runs absorbing [\r\n/]*.
  kO200k,
  // Hugging Face BertPreTokenizer: split on White_Space (dropped), and make
  // every punctuation character (\p{P} or ASCII punctuation/symbol) its own
  // piece. Pieces do not cover the whitespace.
  kBert,
  // No split: the whole text is one piece (SentencePiece models).
  kNone,
};

// Appends the pieces of `text` to `out`, in order. Pieces are non-empty views
// into `text` (valid as long as `text`'s storage is). For every kind but kBert
// the pieces are contiguous and cover `text` exactly. Never fails; any byte
// string is accepted.
void PreTokenize(PreTokenizerKind kind, std::string_view text, std::vector<std::string_view>* out);

// Maps a GGUF `tokenizer.ggml.pre` value (as written by llama.cpp's converter)
// or one of our own names to a kind:
//   "gpt2", "gpt-2", "phi-2", "roberta-bpe"                     → kGpt2
//   "llama3", "llama-v3", "llama-bpe", "falcon3", "cl100k", "cl100k_base" → kLlama3
//   "qwen2", "deepseek-r1-qwen"                                  → kQwen2
//   "gpt-4o", "o200k", "o200k_base", "llama4"                   → kO200k
//   "bert"                                                       → kBert
//   "default", "none", ""                                        → kNone
// Note: llama.cpp applies a multi-pattern split for a byte-level BPE model
// whose pre is "default"; that is not this kNone. "default" is right for
// SentencePiece (tokenizer.ggml.model = llama) and WordPiece vocabularies; a
// loader of a gpt2-model GGUF must refuse kNone rather than guess.
// Unknown names give kInvalidArgument naming the value.
StatusOr<PreTokenizerKind> PreTokenizerFromGgufName(std::string_view name);

// Our canonical name of a kind ("gpt2", "llama3", "qwen2", "o200k", "bert", "none").
std::string_view PreTokenizerName(PreTokenizerKind kind);

}  // namespace sluice::tokenizer
