// TokenVocabulary: the byte strings of a vocabulary's tokens in prefix
// tries, laid out in preorder so a walk is a linear scan that skips a
// subtree by jumping to `next`.
#pragma once

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
  uint8_t byte = 0;
};

struct TokenTrie {
  std::vector<TrieNode> nodes;  // nodes[0] is the root (no byte)
  std::vector<int32_t> order;   // token ids sorted by bytes
  size_t max_depth = 0;
  void Build(const std::vector<std::string>& bytes, std::vector<int32_t> ids);
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
  // Tokens that are not plain string text (see plain_bits).
  const TokenTrie& special() const { return special_; }
  // Tokens of whole UTF-8 characters >= U+0020 other than '"' and '\':
  // inside a free-text string they always lead back to the same state.
  const std::vector<uint32_t>& plain_bits() const { return plain_bits_; }

 private:
  std::vector<std::string> pieces_;
  std::vector<int32_t> end_ids_;
  TokenTrie all_, special_;
  std::vector<uint32_t> plain_bits_;
  std::shared_ptr<const tokenizer::Tokenizer> keep_alive_;
  friend std::shared_ptr<const TokenVocabulary> VocabularyFor(std::shared_ptr<const tokenizer::Tokenizer>);
};

}  // namespace sluice::grammar
