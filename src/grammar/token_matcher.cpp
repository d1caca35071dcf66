// Token masks. For each DFA state the tokens accepted from it with an
// unknown stack below are found once by walking the vocabulary trie, and
// cached per (grammar, vocabulary): an entry holds the tokens accepted
// without leaving the current rule (a bitmask) and the few "uncertain"
// tokens whose bytes run past the rule's end, which FillMask checks against
// the real stack. Free-text string states take every plain-text token at
// once and walk only the special-token trie.
#include "grammar/token_matcher.h"

#include <algorithm>
#include <cstring>

#include "grammar/internal/compiled_grammar.h"
#include "grammar/internal/vocabulary.h"

namespace sluice::grammar {

using internal::Automaton;
using internal::Config;
using internal::StackPool;

namespace internal {

struct MaskEntry {
  std::vector<uint32_t> accepted;  // (n_words) bitmask
  std::vector<int32_t> uncertain;  // tokens to check against the stack
};

struct MaskCache {
  std::vector<std::unique_ptr<MaskEntry>> entries;  // by DFA state
  // Walk scratch.
  StackPool pool;
  std::vector<std::vector<Config>> levels;
  std::vector<uint8_t> escaped;
};

namespace {

void Walk(const Automaton& a, const TokenVocabulary& vocab, const TokenTrie& trie, uint32_t d, MaskCache& cache,
          MaskEntry& entry) {
  cache.pool.Clear();
  size_t depth = trie.max_depth + 1;
  if (cache.levels.size() < depth) cache.levels.resize(depth);
  if (cache.escaped.size() < depth) cache.escaped.resize(depth);
  auto& levels = cache.levels;
  levels[0].clear();
  levels[0].push_back({d, StackPool::kEmpty});
  Close(a, cache.pool, &levels[0]);
  cache.escaped[0] = 0;  // at depth 0 the caller's own closure covers returns
  const auto& nodes = trie.nodes;
  (void)vocab;
  for (size_t i = 1; i < nodes.size();) {
    const TrieNode& n = nodes[i];
    size_t level = n.depth;
    bool acc = Step(a, cache.pool, levels[level - 1], n.byte, &levels[level]);
    if (levels[level].empty()) {
      if (cache.escaped[level - 1]) {
        for (uint32_t k = n.sub_lo; k < n.sub_hi; ++k) entry.uncertain.push_back(trie.order[k]);
      }
      i = n.next;
      continue;
    }
    cache.escaped[level] = static_cast<uint8_t>(cache.escaped[level - 1] || acc);
    for (uint32_t k = n.end_lo; k < n.end_hi; ++k) {
      auto t = static_cast<uint32_t>(trie.order[k]);
      entry.accepted[t / 32] |= 1u << (t % 32);
    }
    ++i;
  }
}

}  // namespace

const MaskEntry& EntryFor(const Automaton& a, const TokenVocabulary& vocab, MaskCache& cache, uint32_t d) {
  if (cache.entries.size() <= d) cache.entries.resize(a.n_states() + 1);
  if (!cache.entries[d]) {
    auto entry = std::make_unique<MaskEntry>();
    entry->accepted.assign(vocab.n_words(), 0);
    if (a.state(d).free_text) {
      entry->accepted = vocab.plain_bits();
      Walk(a, vocab, vocab.special(), d, cache, *entry);
    } else {
      Walk(a, vocab, vocab.all(), d, cache, *entry);
    }
    if (cache.entries.size() <= d) cache.entries.resize(a.n_states() + 1);
    cache.entries[d] = std::move(entry);
  }
  return *cache.entries[d];
}

}  // namespace internal

internal::MaskCache& CompiledGrammar::MaskCacheFor(const std::shared_ptr<const TokenVocabulary>& vocab) const {
  for (auto it = caches_.begin(); it != caches_.end();) {
    auto v = it->first.lock();
    if (!v) {
      it = caches_.erase(it);
      continue;
    }
    if (v == vocab) return *it->second;
    ++it;
  }
  caches_.emplace_back(vocab, std::make_shared<internal::MaskCache>());
  return *caches_.back().second;
}

struct TokenMatcher::State {
  std::vector<Config> configs, scratch_a, scratch_b;
  StackPool pool;
  bool accepting = false;
  bool ended = false;  // an end-of-generation token was consumed
};

TokenMatcher::TokenMatcher(std::shared_ptr<const CompiledGrammar> grammar,
                           std::shared_ptr<const TokenVocabulary> vocabulary)
    : grammar_(std::move(grammar)), vocabulary_(std::move(vocabulary)), state_(std::make_unique<State>()) {
  const Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  state_->configs.push_back({a.Start(), StackPool::kEmpty});
  state_->accepting = internal::Close(a, state_->pool, &state_->configs);
}

TokenMatcher::~TokenMatcher() = default;
TokenMatcher::TokenMatcher(TokenMatcher&&) noexcept = default;
TokenMatcher& TokenMatcher::operator=(TokenMatcher&&) noexcept = default;

int32_t TokenMatcher::vocab_size() const { return vocabulary_->vocab_size(); }

namespace {

// Feeds `bytes` from `from`; the result (closed) is in *out, empty when rejected.
bool Simulate(const Automaton& a, StackPool& pool, const std::vector<Config>& from, std::string_view bytes,
              std::vector<Config>* out, std::vector<Config>* tmp) {
  bool acc = false;
  const std::vector<Config>* cur = &from;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<Config>* dst = (i % 2 == 0) ? out : tmp;
    acc = internal::Step(a, pool, *cur, static_cast<uint8_t>(bytes[i]), dst);
    if (dst->empty()) {
      out->clear();
      return false;
    }
    cur = dst;
  }
  if (cur != out) *out = *cur;
  return acc;
}

}  // namespace

void TokenMatcher::FillMask(std::span<uint32_t> bits) {
  std::fill(bits.begin(), bits.end(), 0u);
  State& st = *state_;
  if (st.ended) return;
  const Automaton& a = grammar_->automaton();
  const TokenVocabulary& vocab = *vocabulary_;
  size_t words = std::min(bits.size(), vocab.n_words());
  auto lock = a.Lock();
  internal::MaskCache& cache = grammar_->MaskCacheFor(vocabulary_);
  for (const Config& c : st.configs) {
    const internal::MaskEntry& e = internal::EntryFor(a, vocab, cache, c.d);
    const uint32_t* src = e.accepted.data();
    for (size_t w = 0; w < words; ++w) bits[w] |= src[w];
    if (c.stack == StackPool::kEmpty) continue;  // past the document's end nothing may follow
    for (int32_t t : e.uncertain) {
      auto u = static_cast<size_t>(t);
      if (u / 32 >= words || (bits[u / 32] >> (u % 32)) & 1u) continue;
      std::vector<Config> one = {c};
      if (Simulate(a, st.pool, one, vocab.piece(t), &st.scratch_a, &st.scratch_b) || !st.scratch_a.empty()) {
        bits[u / 32] |= 1u << (u % 32);
      }
    }
  }
  if (st.accepting) {
    for (int32_t t : vocab.end_ids()) {
      auto u = static_cast<size_t>(t);
      if (u / 32 < words) bits[u / 32] |= 1u << (u % 32);
    }
  }
}

bool TokenMatcher::Advance(int32_t token) {
  State& st = *state_;
  const TokenVocabulary& vocab = *vocabulary_;
  if (st.ended || token < 0 || token >= vocab.vocab_size()) return false;
  if (vocab.is_end(token)) {
    if (!st.accepting) return false;
    st.ended = true;
    return true;
  }
  const std::string& bytes = vocab.piece(token);
  if (bytes.empty()) return false;
  const Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  bool acc = Simulate(a, st.pool, st.configs, bytes, &st.scratch_a, &st.scratch_b);
  if (st.scratch_a.empty()) return false;
  st.configs.swap(st.scratch_a);
  st.accepting = acc;
  return true;
}

bool TokenMatcher::IsAccepting() const { return state_->accepting; }

bool TokenMatcher::IsTerminated() const {
  const State& st = *state_;
  if (st.ended) return true;
  if (!st.accepting) return false;
  const Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  for (const Config& c : st.configs) {
    if (a.state(c.d).has_bytes) return false;
  }
  return true;
}

std::string TokenMatcher::ForcedBytes() const {
  const State& st = *state_;
  std::string out;
  if (st.ended) return out;
  const Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  StackPool& pool = const_cast<StackPool&>(st.pool);  // interning only; no observable change
  std::vector<Config> cur = st.configs, next;
  bool accepting = st.accepting;
  while (!accepting && out.size() < 1024) {
    auto bits = internal::NextBytes(a, cur);
    int only = -1;
    for (int b = 0; b < 256; ++b) {
      if ((bits[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1) {
        if (only >= 0) return out;
        only = b;
      }
    }
    if (only < 0) break;
    accepting = internal::Step(a, pool, cur, static_cast<uint8_t>(only), &next);
    if (next.empty()) break;
    out.push_back(static_cast<char>(only));
    cur.swap(next);
  }
  return out;
}

}  // namespace sluice::grammar
