// The model step of encoding: one pre-token in, its ids appended.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/internal/impl.h"

namespace sluice::tokenizer::internal {

// Encodes one pre-token with the tokenizer's model. `word` is scratch space.
void EncodePiece(const TokenizerImpl& impl, std::string_view piece, std::vector<int32_t>* word,
                 std::vector<int32_t>* out);

}  // namespace sluice::tokenizer::internal
