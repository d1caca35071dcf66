// BpeMerger: the merge loop shared by byte-level BPE (GPT-2, Llama-3, Qwen2,
// o200k) and SentencePiece-style BPE. A word is a sequence of token ids; the
// merger repeatedly replaces the adjacent pair with the lowest rank by the
// token it merges into, the leftmost pair first among equal ranks, until no
// adjacent pair merges. That is the rule of Hugging Face tokenizers' BPE
// (priority queue on (rank, position)), tiktoken's byte_pair_merge and, with
// ranks ordered by descending score, llama.cpp's SentencePiece tokenizer.
//
// Short words use an array scan (O(n^2) comparisons of ints, cache friendly);
// long words (a 1 MB run of one character) use a linked list and a binary
// heap with lazy deletion: O(n log n).
//
// Thread safety: build single-threaded, then Merge is const and thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "tokenizer/internal/flat_map.h"

namespace sluice::tokenizer {

class BpeMerger {
 public:
  // Declares that `left` followed by `right` merges into `merged` with
  // priority `rank` (lower first). A pair declared twice keeps its first rank.
  void AddMerge(int32_t left, int32_t right, int32_t rank, int32_t merged) {
    pairs_.Insert(left, right, internal::Merge{rank, merged});
  }
  void Reserve(size_t n_merges) { pairs_.Reserve(n_merges); }
  size_t n_merges() const { return pairs_.size(); }

  // The merge of a pair, or nullptr.
  const internal::Merge* Find(int32_t left, int32_t right) const { return pairs_.Find(left, right); }

  // Merges `word` in place. Ids < 0 never merge (placeholders for unknowns).
  void Merge(std::vector<int32_t>* word) const;

  // Words longer than this take the heap path.
  static constexpr size_t kShortWord = 48;

 private:
  size_t MergeShort(int32_t* ids, size_t n) const;
  void MergeLong(std::vector<int32_t>* word) const;

  internal::PairMap pairs_;
};

}  // namespace sluice::tokenizer
