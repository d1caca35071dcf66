// Byte-level BPE training (GPT-2 / Llama-3 style), producing a tokenizer that
// ByteLevelTokenizerToJson writes as a tokenizer.json this module (and Hugging
// Face tokenizers) load back.
//
// Algorithm: pre-tokenize the corpus (the chosen splitter) and count distinct
// pre-tokens; start from the 256 single-byte tokens; repeatedly merge the
// adjacent pair with the highest total count, ties broken by the smallest
// (left bytes, right bytes) in byte order, so the result does not depend on
// hashing or thread count. Pair counts are updated incrementally: an index
// from each pair to the words containing it, and a max-heap with lazy deletion.
//
// Ids: the special tokens first (in the order given), then the 256 bytes in
// byte order, then one token per merge.
//
// Thread safety: TrainByteLevelBpe is thread-safe (no shared state).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenizer/pretokenizer/pretokenizer.h"
#include "tokenizer/tokenizer.h"

namespace sluice::tokenizer {

struct TrainOptions {
  int32_t vocab_size = 8192;  // total, special tokens and the 256 bytes included
  std::vector<std::string> special_tokens;  // e.g. "<|endoftext|>"; matched as added tokens
  PreTokenizerKind pre_tokenizer = PreTokenizerKind::kLlama3;  // kGpt2, kLlama3, kQwen2 or kO200k
  int n_threads = 2;  // for counting pre-tokens
};

// Trains on in-memory texts (each text is pre-tokenized on its own).
StatusOr<std::shared_ptr<const Tokenizer>> TrainByteLevelBpe(const std::vector<std::string_view>& texts,
                                                             const TrainOptions& options);

// Trains on files (read in ~4 MB chunks cut after a newline). kNotFound names
// a file that cannot be read.
StatusOr<std::shared_ptr<const Tokenizer>> TrainByteLevelBpeFromFiles(const std::vector<std::string>& paths,
                                                                      const TrainOptions& options);

}  // namespace sluice::tokenizer
