// TokenizerSpec: everything a loader reads from a tokenizer.json or a GGUF,
// in one neutral form; BuildTokenizer (internal/build.h) validates it and
// turns it into the tables Encode uses. The GGUF writer reads it back.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/pretokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sluice::tokenizer::internal {

struct AddedTokenSpec {
  std::string content;
  int32_t id = -1;
  bool special = true;  // special: TokenType::kControl, skipped by skip_special
  bool lstrip = false;  // absorbs whitespace before it
  bool rstrip = false;  // absorbs whitespace after it
};

// One normalizer step, applied in order to each text segment.
struct NormalizerStep {
  enum class Kind { kNfc, kPrepend, kReplace, kLowercase, kBert } kind = Kind::kNfc;
  std::string a, b;  // kPrepend: a = prefix; kReplace: a → b
  bool lowercase = false, strip_accents = false, chinese_chars = false, clean_text = false;  // kBert
  bool first_only = false;       // kPrepend: only on the segment at the start of the text
  bool skip_if_present = false;  // kPrepend: not when the text already starts with it
};

struct TokenizerSpec {
  ModelKind model = ModelKind::kByteLevelBpe;

  // Vocabulary, index = id. `tokens` is the file's spelling ("Ġthe", "▁the",
  // "##s", "<0x0A>", "<|eot_id|>"); added tokens are included.
  std::vector<std::string> tokens;
  std::vector<TokenType> types;
  // Largest id a loader may place. A tokenizer.json spends several bytes of
  // text per token, so its ids cannot honestly exceed its size: the loader
  // sets this to the document's length, and a 60-byte file cannot make us
  // allocate tables for 100M ids.
  int64_t max_id = 0x7FFFFFF;

  // BPE: either merges (pairs of token strings, rank = index) or, for
  // SentencePiece vocabularies from GGUF, scores (a token's score orders the
  // merges that produce it, highest first).
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<float> scores;
  bool merges_from_scores = false;
  bool ignore_merges = false;  // Llama-3: a pre-token in the vocabulary is one token
  bool byte_fallback = false;  // SentencePiece: unknown chars → <0xXX>
  bool fuse_unk = false;
  int32_t unk_id = -1;

  // WordPiece.
  std::string continuing_subword_prefix = "##";
  int32_t max_input_chars_per_word = 100;

  // Pipeline.
  std::vector<NormalizerStep> normalizer;
  PreTokenizerKind pre_tokenizer = PreTokenizerKind::kNone;
  bool byte_level_add_prefix_space = false;  // HF ByteLevel(add_prefix_space)
  bool metaspace_split = false;  // HF Metaspace(split = true): a piece starts at each "▁"
  std::vector<AddedTokenSpec> added_tokens;
  // Post-processor (add_special): ids before and after the sequence.
  std::vector<int32_t> prefix_ids, suffix_ids;

  // Decoder. SentencePiece: strip one leading space from the decoded text
  // (HF Strip(" ", 1, 0) / Metaspace prepend). WordPiece: cleanup of
  // tokenization spaces (" ." → ".").
  bool decode_strip_leading_space = false;
  bool decode_wordpiece_cleanup = true;

  // Special ids (-1 = none).
  int32_t bos_id = -1, eos_id = -1, eot_id = -1, pad_id = -1;
  std::vector<int32_t> end_of_generation_ids;
};

}  // namespace sluice::tokenizer::internal
