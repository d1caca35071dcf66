// TokenizerImpl: the validated, ready-to-run tables behind a Tokenizer.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/internal/flat_map.h"
#include "tokenizer/internal/spec.h"
#include "tokenizer/tokenizer.h"

namespace sluice::tokenizer::internal {

struct TokenizerImpl {
  TokenizerSpec spec;

  // pieces[id]: the bytes the token decodes to (see Tokenizer::TokenPiece).
  std::vector<std::string> pieces;
  // Model lookups: byte-level BPE keys are raw bytes (pieces); SentencePiece
  // and WordPiece keys are the file's token strings (spec.tokens).
  StringMap model_vocab;
  // All token strings (spec.tokens) → id, for TokenId.
  StringMap text_vocab;

  BpeMerger merger;
  std::array<int32_t, 256> byte_ids{};  // byte-level: id of each single byte
                                        // SentencePiece: id of <0xXX>, or -1
  // Byte-level BPE: whether the BPE of a vocabulary entry's bytes is that one
  // token, so a pre-token found in the vocabulary can skip the merge loop.
  std::vector<bool> merges_to_itself;

  AddedTokenMatcher added;

  // WordPiece: continuation lookups use "##" + piece; `prefix_` holds "##".
  int32_t wordpiece_unk = -1;
};

// Validates `spec` and builds the tables. Errors name the offending token,
// merge or setting.
StatusOr<std::shared_ptr<const Tokenizer>> BuildTokenizer(TokenizerSpec spec);

}  // namespace sluice::tokenizer::internal
