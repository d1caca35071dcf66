// TokenVocabulary: the byte strings of a vocabulary's tokens in prefix
// tries, laid out in preorder so a walk is a linear scan that skips a
// subtree by jumping to `next`.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace sluice::grammar {

struct TrieNode {
  uint32_t next = 0;    // index just past this node's subtree
  uint32_t sub_lo = 0;  // tokens (positions in Trie::order) in the subtree
  uint32_t sub_hi = 0;
  uint32_t end_lo = 0;  // tokens whose bytes end exactly here
  uint32_t end_hi = 0;
  uint16_t depth = 0;   // bytes from the root
  // Every token in the subtree is plain text of at most this many
  // characters (kNotBulk: some token is not plain text, or is too long).
  uint16_t bulk = 0;
  uint8_t byte = 0;
};

inline constexpr uint16_t kNotBulk = UINT16_MAX;

struct TokenTrie {
  std::vector<TrieNode> nodes;  // nodes[0] is the root (no byte)
  std::vector<int32_t> order;   // token ids sorted by bytes
  size_t max_depth = 0;
  // `bulk_len[id]`: characters of a plain-text token, kNotBulk otherwise.
  void Build(const std::vector<std::string>& bytes, std::vector<int32_t> ids, const std::vector<uint16_t>& bulk_len);
};

class TokenVocabulary {
 public:
  // `pieces[id]`: token bytes, empty for tokens that can never be content;
  // `end_ids`: ids that end a generation.
  TokenVocabulary(std::vector<std::string> pieces, std::vector<int32_t> end_ids);
  static std::shared_ptr<TokenVocabulary> FromTokenizer(const tokenizer::Tokenizer& tok);

  int32_t vocab_size() const { return static_cast<int32_t>(pieces_.size()); }
  size_t n_words() const { return (pieces_.size() + 31) / 32; }
  const std::string& piece(int32_t id) const { return pieces_[static_cast<size_t>(id)]; }
  bool is_end(int32_t id) const;
  const std::vector<int32_t>& end_ids() const { return end_ids_; }
  // Every content token.
  const TokenTrie& all() const { return all_; }
  // The content tokens that are not plain text (see plain_upto): a compact
  // trie for states that decide every plain token in bulk.
  const TokenTrie& special() const { return special_; }
  // Plain-text tokens: whole UTF-8 characters >= U+0020 other than '"',
  // '\', U+2028 and U+2029, at most kMaxBulkChars of them. Inside a string
  // they stay inside it; a regex `.` takes each of their characters.
  // plain_upto(k): the (n_words) bitmask of those of at most k characters.
  static constexpr int32_t kMaxBulkChars = 128;
  int32_t max_plain_chars() const { return max_plain_chars_; }
  const std::vector<uint32_t>& plain_upto(int32_t k) const {
    return plain_upto_[static_cast<size_t>(std::clamp(k, 0, max_plain_chars_))];
  }

 private:
  std::vector<std::string> pieces_;
  std::vector<int32_t> end_ids_;
  TokenTrie all_, special_;
  int32_t max_plain_chars_ = 0;
  std::vector<std::vector<uint32_t>> plain_upto_;  // [0, max_plain_chars_]
  std::shared_ptr<const tokenizer::Tokenizer> keep_alive_;
  friend std::shared_ptr<const TokenVocabulary> VocabularyFor(std::shared_ptr<const tokenizer::Tokenizer>);
};

}  // namespace sluice::grammar
