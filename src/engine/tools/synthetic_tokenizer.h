// A synthetic byte-level BPE vocabulary of any size, for random-weight models:
// the 256 GPT-2 byte tokens (ids 0..255, byte b at id b), merges of lower-case
// letter pairs and "Ġ"+letter while room remains, unused filler tokens, and
// the specials <|endoftext|>, <|im_start|>, <|im_end|> as the last three ids.
// Thread-safe, pure.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "gguf/writer.h"

namespace sluice::engine::tools {

inline constexpr int32_t kMinSyntheticVocab = 256 + 3;

// Adds tokenizer.ggml.* (model "gpt2", pre "qwen2" for qwen2 else
// "llama-bpe") and a ChatML tokenizer.chat_template for a vocabulary of
// exactly n_vocab tokens. kInvalidArgument when n_vocab < kMinSyntheticVocab.
Status WriteSyntheticTokenizer(std::string_view arch, int32_t n_vocab, gguf::GgufWriter* writer);

}  // namespace sluice::engine::tools
