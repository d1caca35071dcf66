// Guesses BOS / EOS / EOT / PAD ids from well-known token strings, for
// tokenizer.json files (which do not name them) and GGUFs that omit them.
#pragma once

#include "tokenizer/internal/spec.h"

namespace sluice::tokenizer::internal {

// Fills the spec's special ids that are still -1 from the vocabulary, and
// end_of_generation_ids from eos/eot and well-known end tokens.
void FillSpecialIds(TokenizerSpec* spec);

}  // namespace sluice::tokenizer::internal
