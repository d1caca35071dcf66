// Tokenizer: text ↔ token ids for the vocabularies sluice serves.
//
// Three model families, each exact against its reference implementation:
//  - byte-level BPE (GPT-2, Llama-3, Qwen2/3, GPT-4o / o200k): Hugging Face
//    tokenizers' BPE over GPT-2's byte alphabet, with Llama-3's ignore_merges;
//  - SentencePiece-style BPE (Llama-2, Mistral): "▁" for spaces, a dummy "▁"
//    prefix, byte fallback to <0xXX> tokens;
//  - WordPiece (BERT): BertNormalizer + BertPreTokenizer, greedy
//    longest-match-first with "##" continuations.
//
// Encoding runs the Hugging Face pipeline: added tokens are split out first
// (leftmost-longest), each remaining segment is normalized, pre-tokenized and
// encoded by the model, then the post-processor adds BOS/EOS/CLS/SEP when asked.
//
// A Tokenizer is built only by the loaders (tokenizer_json.h, tokenizer_gguf.h),
// which validate everything: Encode and Decode never fail. It is immutable
// after loading; every const method is thread-safe. Share it as
// std::shared_ptr<const Tokenizer>.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tokenizer {

namespace internal {
struct TokenizerSpec;
struct TokenizerImpl;
}  // namespace internal

enum class ModelKind { kByteLevelBpe, kSentencePieceBpe, kWordPiece };

// Token types as GGUF numbers them (tokenizer.ggml.token_type).
enum class TokenType : int32_t {
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,      // special added tokens (<|eot_id|>, <s>, [CLS])
  kUserDefined = 4,  // non-special added tokens (Qwen's <tool_call>)
  kUnused = 5,
  kByte = 6,  // SentencePiece byte-fallback tokens <0xXX>
};

struct EncodeOptions {
  // Run the post-processor: add BOS (Llama-2), CLS/SEP (BERT), as configured.
  bool add_special = false;
  // Match added tokens (e.g. "<|eot_id|>") in the text. When false, their text
  // is encoded as ordinary text, which is what user-supplied content needs.
  bool parse_special = true;
};

class Tokenizer {
 public:
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  // Appends the ids of `text` (any bytes; invalid UTF-8 is encoded byte by
  // byte by byte-level models) to `out`.
  void Encode(std::string_view text, const EncodeOptions& options, std::vector<int32_t>* out) const;
  std::vector<int32_t> Encode(std::string_view text, const EncodeOptions& options = {}) const;

  // The text of `ids`, as the Hugging Face decoder gives it with
  // skip_special_tokens = `skip_special`, except that bytes are returned as
  // they are (no U+FFFD for invalid UTF-8; use StreamDecoder for valid UTF-8
  // output). Out-of-range ids are skipped.
  std::string Decode(std::span<const int32_t> ids, bool skip_special = false) const;

  // The bytes token `id` contributes to decoded text, before any
  // whole-sequence cleanup: byte-level tokens as raw bytes, SentencePiece
  // pieces with "▁" as " " and <0xXX> as the byte, WordPiece pieces without
  // "##", added tokens as their content. Empty for an out-of-range id.
  // The view lives as long as the Tokenizer.
  std::string_view TokenPiece(int32_t id) const;
  // The token's string as the vocabulary file spells it ("Ġthe", "▁the", "##s").
  std::string_view TokenText(int32_t id) const;
  TokenType token_type(int32_t id) const;
  // Id of a vocabulary string (as TokenText spells it), or -1.
  int32_t TokenId(std::string_view text) const;
  bool IsSpecial(int32_t id) const { return token_type(id) == TokenType::kControl; }

  int32_t vocab_size() const;
  ModelKind model_kind() const;

  // Special ids; -1 when the vocabulary has none.
  int32_t bos_id() const;
  int32_t eos_id() const;
  int32_t eot_id() const;  // end of turn (<|eot_id|>, <|im_end|>), else eos
  int32_t unk_id() const;
  int32_t pad_id() const;
  // Ids every id sequence ends a generation with (eos, eot, <|end_of_text|>…).
  const std::vector<int32_t>& end_of_generation_ids() const;

  // Whether Encode(…, add_special) adds a BOS-like prefix / EOS-like suffix.
  bool adds_bos() const;
  bool adds_eos() const;

  // For the loaders and the GGUF writer.
  const internal::TokenizerSpec& spec() const;
  explicit Tokenizer(std::unique_ptr<internal::TokenizerImpl> impl);

 private:
  std::unique_ptr<internal::TokenizerImpl> impl_;
};

// Number of ids Encode(text, {add_special = false, parse_special = false})
// gives: what usage accounting counts for text an upstream did not count.
size_t CountTokens(const Tokenizer& tokenizer, std::string_view text);

// StreamDecoder: turns ids produced one at a time into text, for token-by-token
// streaming. Text comes out as valid UTF-8 only: bytes of an incomplete UTF-8
// sequence are held back until a later token completes them, and bytes that
// cannot start or continue a valid sequence come out as U+FFFD. The
// concatenation of every Feed plus Finish equals the Hugging Face lossy decode
// of the whole sequence (for WordPiece: without the tokenization-space cleanup).
// Borrows the tokenizer, which must outlive it. Not thread-safe; one per stream.
class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer, bool skip_special = false)
      : tokenizer_(tokenizer), skip_special_(skip_special) {}

  // The text that became complete with `id` (often empty or one piece).
  std::string Feed(int32_t id);
  // The held-back bytes at the end of the stream, as U+FFFD where incomplete.
  std::string Finish();

 private:
  std::string TakeComplete(bool at_end);

  const Tokenizer& tokenizer_;
  bool skip_special_;
  bool first_ = true;
  std::string pending_;  // decoded bytes not yet returned
};

}  // namespace sluice::tokenizer
