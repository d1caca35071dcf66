#include <algorithm>
#include <map>
#include <mutex>

#include "grammar/internal/vocabulary.h"
#include "grammar/token_matcher.h"

namespace sluice::grammar {
namespace {

// Whole UTF-8 characters only (no surrogates, no overlong forms), none
// below U+0020, no '"' or '\', and no U+2028 / U+2029 (so that a regex `.`
// loop takes every plain token too). Returns the character count, or -1.
int PlainTextChars(std::string_view s) {
  int chars = 0;
  for (size_t i = 0; i < s.size(); ++chars) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == '"' || c == '\\') return -1;
      ++i;
      continue;
    }
    size_t n;
    char32_t cp;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else return -1;
    if (i + n > s.size()) return -1;
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0x2028 || cp == 0x2029)) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return -1;
    }
    i += n;
  }
  return chars;
}

}  // namespace

void TokenTrie::Build(const std::vector<std::string>& bytes, std::vector<int32_t> ids,
                      const std::vector<uint16_t>& bulk_len) {
  std::sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
    const auto& sa = bytes[static_cast<size_t>(a)];
    const auto& sb = bytes[static_cast<size_t>(b)];
    return sa != sb ? sa < sb : a < b;
  });
  order = std::move(ids);
  nodes.assign(1, TrieNode{});
  std::vector<uint32_t> path = {0};
  auto close_top = [&](uint32_t k) {
    TrieNode& n = nodes[path.back()];
    n.next = static_cast<uint32_t>(nodes.size());
    n.sub_hi = k;
    path.pop_back();
  };
  std::string_view prev;
  for (uint32_t k = 0; k < order.size(); ++k) {
    std::string_view cur = bytes[static_cast<size_t>(order[k])];
    size_t lcp = 0;
    while (lcp < prev.size() && lcp < cur.size() && prev[lcp] == cur[lcp]) ++lcp;
    while (path.size() > lcp + 1) close_top(k);
    for (size_t i = lcp; i < cur.size(); ++i) {
      TrieNode n;
      n.byte = static_cast<uint8_t>(cur[i]);
      n.depth = static_cast<uint16_t>(i + 1);
      n.sub_lo = k;
      n.end_lo = n.end_hi = 0;
      nodes.push_back(n);
      path.push_back(static_cast<uint32_t>(nodes.size() - 1));
    }
    TrieNode& end = nodes[path.back()];
    if (end.end_hi == 0 || end.end_hi != k) end.end_lo = k;
    end.end_hi = k + 1;
    max_depth = std::max(max_depth, cur.size());
    prev = cur;
  }
  while (path.size() > 1) close_top(static_cast<uint32_t>(order.size()));
  nodes[0].next = static_cast<uint32_t>(nodes.size());
  nodes[0].sub_lo = 0;
  nodes[0].sub_hi = static_cast<uint32_t>(order.size());
  // bulk: the largest bulk_len in the subtree (sum of subtree sizes = total token bytes).
  for (TrieNode& n : nodes) {
    uint16_t b = 0;
    for (uint32_t k = n.sub_lo; k < n.sub_hi && b != kNotBulk; ++k) {
      b = std::max(b, bulk_len[static_cast<size_t>(order[k])]);
    }
    n.bulk = b;
  }
  nodes[0].bulk = kNotBulk;
}

TokenVocabulary::TokenVocabulary(std::vector<std::string> pieces, std::vector<int32_t> end_ids)
    : pieces_(std::move(pieces)), end_ids_(std::move(end_ids)) {
  std::vector<int32_t> all, special;
  std::vector<uint16_t> bulk_len(pieces_.size(), kNotBulk);
  for (size_t id = 0; id < pieces_.size(); ++id) {
    if (pieces_[id].size() > 1024) pieces_[id].clear();  // never content; keeps trie depth bounded
    if (pieces_[id].empty() || is_end(static_cast<int32_t>(id))) continue;
    all.push_back(static_cast<int32_t>(id));
    int chars = PlainTextChars(pieces_[id]);
    if (chars >= 0 && chars <= kMaxBulkChars) {
      bulk_len[id] = static_cast<uint16_t>(chars);
      max_plain_chars_ = std::max(max_plain_chars_, chars);
    }
  }
  // plain_upto_[k]: plain tokens of at most k characters (cumulative).
  plain_upto_.assign(static_cast<size_t>(max_plain_chars_) + 1, std::vector<uint32_t>(n_words(), 0));
  for (size_t id = 0; id < pieces_.size(); ++id) {
    if (bulk_len[id] == kNotBulk) continue;
    plain_upto_[bulk_len[id]][id / 32] |= 1u << (id % 32);
  }
  for (size_t k = 1; k < plain_upto_.size(); ++k) {
    for (size_t w = 0; w < plain_upto_[k].size(); ++w) plain_upto_[k][w] |= plain_upto_[k - 1][w];
  }
  for (int32_t id : all) {
    if (bulk_len[static_cast<size_t>(id)] == kNotBulk) special.push_back(id);
  }
  all_.Build(pieces_, std::move(all), bulk_len);
  special_.Build(pieces_, std::move(special), bulk_len);
}

bool TokenVocabulary::is_end(int32_t id) const {
  return std::find(end_ids_.begin(), end_ids_.end(), id) != end_ids_.end();
}

std::shared_ptr<TokenVocabulary> TokenVocabulary::FromTokenizer(const tokenizer::Tokenizer& tok) {
  int32_t n = tok.vocab_size();
  std::vector<std::string> pieces(static_cast<size_t>(std::max(n, 0)));
  for (int32_t id = 0; id < n; ++id) {
    auto type = tok.token_type(id);
    if (type == tokenizer::TokenType::kControl || type == tokenizer::TokenType::kUnknown ||
        type == tokenizer::TokenType::kUnused) {
      continue;
    }
    pieces[static_cast<size_t>(id)] = std::string(tok.TokenPiece(id));
  }
  std::vector<int32_t> ends;
  for (int32_t id : tok.end_of_generation_ids()) {
    if (id >= 0 && id < n) ends.push_back(id);
  }
  return std::make_shared<TokenVocabulary>(std::move(pieces), std::move(ends));
}

std::shared_ptr<const TokenVocabulary> VocabularyFor(std::shared_ptr<const tokenizer::Tokenizer> tok) {
  static std::mutex mu;
  static std::map<const tokenizer::Tokenizer*, std::weak_ptr<const TokenVocabulary>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[tok.get()];
  if (auto v = slot.lock()) {
    if (v->keep_alive_ == tok) return v;
  }
  auto built = TokenVocabulary::FromTokenizer(*tok);
  built->keep_alive_ = tok;
  slot = built;
  return built;
}

}  // namespace sluice::grammar
