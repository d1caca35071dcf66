#include "tokenizer/added_tokens.h"

#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer {
namespace {

bool IsSpaceAt(std::string_view text, size_t pos, int* n) {
  const char32_t cp = DecodeUtf8(text.data() + pos, text.data() + text.size(), n);
  return (ClassOf(cp) & kClassSpace) != 0;
}

}  // namespace

void AddedTokenMatcher::Build(const std::vector<internal::AddedTokenSpec>& tokens) {
  nodes_.assign(1, Node{});
  tokens_.clear();
  for (const internal::AddedTokenSpec& t : tokens) {
    if (t.content.empty()) continue;
    int32_t node = 0;
    for (char ch : t.content) {
      const auto c = static_cast<unsigned char>(ch);
      int32_t next = Child(node, c);
      if (next < 0) {
        next = static_cast<int32_t>(nodes_.size());
        nodes_[node].kids.emplace_back(c, next);
        nodes_.push_back(Node{});
      }
      node = next;
    }
    if (nodes_[node].token < 0) {  // the first of duplicate contents wins
      nodes_[node].token = static_cast<int32_t>(tokens_.size());
      tokens_.push_back(t);
    }
    first_byte_[static_cast<unsigned char>(t.content[0])] = true;
  }
}

int32_t AddedTokenMatcher::Child(int32_t node, unsigned char c) const {
  for (const auto& [k, next] : nodes_[node].kids) {
    if (k == c) return next;
  }
  return -1;
}

size_t AddedTokenMatcher::LongestAt(std::string_view text, size_t pos, int32_t* token) const {
  size_t best = 0;
  int32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    node = Child(node, static_cast<unsigned char>(text[i]));
    if (node < 0) break;
    if (nodes_[node].token >= 0) {
      best = i + 1 - pos;
      *token = nodes_[node].token;
    }
  }
  return best;
}

void AddedTokenMatcher::Split(std::string_view text, std::vector<Segment>* out) const {
  size_t text_begin = 0;  // start of the pending text segment
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    int32_t token = -1;
    const size_t len = LongestAt(text, pos, &token);
    if (len == 0) {
      ++pos;
      continue;
    }
    const internal::AddedTokenSpec& t = tokens_[token];
    size_t begin = pos;
    size_t end = pos + len;
    if (t.lstrip) {
      // Walk back over whitespace code points (UTF-8 aware) within the text segment.
      while (begin > text_begin) {
        size_t start = begin - 1;
        while (start > text_begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        int n = 0;
        if (!IsSpaceAt(text, start, &n) || start + static_cast<size_t>(n) != begin) break;
        begin = start;
      }
    }
    if (t.rstrip) {
      int n = 0;
      while (end < text.size() && IsSpaceAt(text, end, &n)) end += static_cast<size_t>(n);
    }
    if (begin > text_begin) out->push_back(Segment{text_begin, begin, -1});
    out->push_back(Segment{begin, end, t.id});
    pos = end;
    text_begin = end;
  }
  if (text_begin < text.size()) out->push_back(Segment{text_begin, text.size(), -1});
}

}  // namespace sluice::tokenizer
