// AddedTokenMatcher: finds added tokens ("<|eot_id|>", "<s>", "[CLS]") in raw
// text before normalization, leftmost-longest, as Hugging Face tokenizers'
// AddedVocabulary does, and splits the text around them.
//
// Thread safety: build once, then Split is const and thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/internal/spec.h"

namespace sluice::tokenizer {

class AddedTokenMatcher {
 public:
  void Build(const std::vector<internal::AddedTokenSpec>& tokens);
  bool empty() const { return nodes_.size() <= 1; }

  // A piece of the input: an added token (id >= 0) or text between tokens
  // (id = -1). [begin, end) are byte offsets into the text passed to Split.
  struct Segment {
    size_t begin = 0;
    size_t end = 0;
    int32_t id = -1;
  };

  // Appends the segments of `text`, in order, covering it; text segments are
  // non-empty. A token with lstrip/rstrip absorbs the whitespace beside it.
  void Split(std::string_view text, std::vector<Segment>* out) const;

 private:
  struct Node {
    int32_t token = -1;  // index into tokens_ when a token ends here
    std::vector<std::pair<unsigned char, int32_t>> kids;
  };
  int32_t Child(int32_t node, unsigned char c) const;
  // Length of the longest token starting at `pos`, with its index; 0 if none.
  size_t LongestAt(std::string_view text, size_t pos, int32_t* token) const;

  std::vector<Node> nodes_{Node{}};
  std::vector<internal::AddedTokenSpec> tokens_;
  bool first_byte_[256] = {};
};

}  // namespace sluice::tokenizer
