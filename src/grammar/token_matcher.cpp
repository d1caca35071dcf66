// Token masks. For each DFA state the tokens accepted from it with an
// unknown stack below are found once by walking the vocabulary trie, and
// cached per (grammar, vocabulary): an entry holds the tokens accepted
// without leaving the current rule (a bitmask) and the few "uncertain"
// tokens whose bytes run past the rule's end, which FillMask checks against
// the real stack. String states that take plain text (NfaState::
// text_budget) accept the plain-text tokens short enough in bulk (a
// precomputed bitmask per length) and walk only the rest of the trie.
#include "grammar/token_matcher.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_set>

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
  std::vector<std::shared_ptr<const MaskEntry>> entries;  // by DFA state
  // Shared entries of maxLength chain positions far from both bounds, by
  // (chain, whether characters are still required).
  std::map<std::pair<uint32_t, bool>, std::shared_ptr<const MaskEntry>> chain_entries;
  // Walk scratch.
  StackPool pool;
  std::vector<std::vector<Config>> levels;
  std::vector<uint8_t> escaped;
  std::vector<uint32_t> single;
};

namespace {

// Walks `trie` from DFA state `d` (unknown stack below): tokens accepted
// inside the current rule go to entry.accepted, tokens that run past the
// rule's end to entry.uncertain. With budget >= 0 (d takes plain text of up
// to `budget` characters) subtrees of plain tokens that short are skipped:
// the caller accepts them in bulk. A level reached with a single
// configuration and no calls steps by one table lookup.
void Walk(const Automaton& a, const TokenTrie& trie, uint32_t d, int32_t budget, MaskCache& cache,
          MaskEntry& entry) {
  cache.pool.Clear();
  size_t depth = trie.max_depth + 1;
  if (cache.levels.size() < depth) cache.levels.resize(depth);
  if (cache.escaped.size() < depth) cache.escaped.resize(depth);
  if (cache.single.size() < depth) cache.single.resize(depth);
  auto& levels = cache.levels;
  auto& single = cache.single;  // the level's only DFA state (empty stack, no calls), else kDead
  levels[0].clear();
  levels[0].push_back({d, StackPool::kEmpty});
  Close(a, cache.pool, &levels[0]);
  single[0] = levels[0].size() == 1 && levels[0][0].stack == StackPool::kEmpty ? levels[0][0].d : internal::kDead;
  cache.escaped[0] = 0;  // at depth 0 the caller's own closure covers returns
  // Subtrees of plain tokens no longer than `skip` characters are taken in
  // bulk; in a pure text state longer ones are rejected, so every subtree
  // of plain tokens can be skipped.
  const bool bulk = budget >= 0;
  const auto skip = static_cast<uint16_t>(
      a.state(d).pure_text ? kNotBulk - 1 : std::min<int32_t>(std::max(budget, 0), kNotBulk - 1));
  const auto& nodes = trie.nodes;
  for (size_t i = 1; i < nodes.size();) {
    const TrieNode& n = nodes[i];
    if (bulk && n.bulk <= skip) {
      i = n.next;  // plain tokens the caller accepts in bulk
      continue;
    }
    size_t level = n.depth;
    bool acc = false;
    bool dead = false;
    if (uint32_t from = single[level - 1]; from != internal::kDead) {
      uint32_t nd = a.Next(from, n.byte);
      if (nd == internal::kDead) {
        dead = true;
      } else if (a.state(nd).calls.empty()) {
        single[level] = nd;
        acc = a.state(nd).final;
      } else {
        levels[level].clear();
        levels[level].push_back({nd, StackPool::kEmpty});
        acc = Close(a, cache.pool, &levels[level]);
        single[level] = internal::kDead;
      }
    } else {
      acc = Step(a, cache.pool, levels[level - 1], n.byte, &levels[level]);
      dead = levels[level].empty();
      single[level] = levels[level].size() == 1 && levels[level][0].stack == StackPool::kEmpty
                          ? levels[level][0].d
                          : internal::kDead;
    }
    if (dead) {
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
    // A chain position whose bounds no token can reach (more characters
    // left than the longest token has bytes, and '"' allowed either at every
    // position or at none a token reaches) behaves like every other such
    // position of its chain.
    const internal::DfaState& st = a.state(d);
    auto reach = static_cast<int32_t>(vocab.all().max_depth);
    std::optional<std::pair<uint32_t, bool>> shared;
    if (st.text_chain != 0 && st.text_budget > reach && (st.text_min_left == 0 || st.text_min_left > reach)) {
      shared = std::make_pair(st.text_chain, st.text_min_left > 0);
      if (auto it = cache.chain_entries.find(*shared); it != cache.chain_entries.end()) {
        cache.entries[d] = it->second;
        return *it->second;
      }
    }
    auto entry = std::make_shared<MaskEntry>();
    int32_t budget = a.state(d).text_budget;
    if (budget >= 0) entry->accepted = vocab.plain_upto(budget);
    else entry->accepted.assign(vocab.n_words(), 0);
    // States that decide every plain token in bulk walk only the others.
    bool all_plain_decided = budget >= vocab.max_plain_chars() || (budget >= 0 && a.state(d).pure_text);
    Walk(a, all_plain_decided ? vocab.special() : vocab.all(), d, budget, cache, *entry);
    if (cache.entries.size() <= d) cache.entries.resize(a.n_states() + 1);
    if (shared) cache.chain_entries[*shared] = entry;
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

std::optional<std::string> TokenMatcher::ShortestCompletion(size_t max_bytes) const {
  const State& st = *state_;
  if (st.ended || st.accepting) return std::string();
  const Automaton& a = grammar_->automaton();
  auto lock = a.Lock();
  StackPool& pool = const_cast<StackPool&>(st.pool);  // interning only; no observable change
  // Breadth-first over closed config sets; a set is identified by its sorted
  // (state, stack) pairs. Each set is expanded once, so the cost is bounded by
  // the distinct sets within max_bytes, capped at kMaxNodes.
  constexpr size_t kMaxNodes = 4096;
  struct Node {
    std::vector<Config> configs;
    int32_t parent;
    uint8_t byte;
    uint32_t depth;
  };
  auto key = [](std::vector<Config> c) {
    std::sort(c.begin(), c.end(), [](const Config& x, const Config& y) {
      return x.d != y.d ? x.d < y.d : x.stack < y.stack;
    });
    std::string k(c.size() * 2 * sizeof(uint32_t), '\0');
    for (size_t i = 0; i < c.size(); ++i) {
      std::memcpy(k.data() + i * 8, &c[i].d, 4);
      std::memcpy(k.data() + i * 8 + 4, &c[i].stack, 4);
    }
    return k;
  };
  std::vector<Node> nodes;
  nodes.push_back({st.configs, -1, 0, 0});
  std::unordered_set<std::string> seen{key(st.configs)};
  std::vector<Config> next;
  for (size_t i = 0; i < nodes.size() && nodes.size() < kMaxNodes; ++i) {
    if (nodes[i].depth >= max_bytes) continue;
    const std::vector<Config> from = nodes[i].configs;  // nodes may grow below
    auto bits = internal::NextBytes(a, from);
    for (int b = 0; b < 256; ++b) {
      if (!((bits[static_cast<size_t>(b) >> 6] >> (b & 63)) & 1)) continue;
      bool acc = internal::Step(a, pool, from, static_cast<uint8_t>(b), &next);
      if (next.empty() || !seen.insert(key(next)).second) continue;
      nodes.push_back({next, static_cast<int32_t>(i), static_cast<uint8_t>(b), nodes[i].depth + 1});
      if (acc) {
        std::string out;
        for (int32_t n = static_cast<int32_t>(nodes.size()) - 1; n > 0; n = nodes[static_cast<size_t>(n)].parent) {
          out.push_back(static_cast<char>(nodes[static_cast<size_t>(n)].byte));
        }
        std::reverse(out.begin(), out.end());
        return out;
      }
    }
  }
  return std::nullopt;
}

int32_t TokenMatcher::CompletionToken(std::string_view completion) const {
  const TokenVocabulary& vocab = *vocabulary_;
  int32_t best = -1;
  size_t best_len = 0;
  for (int32_t t = 0; t < vocab.vocab_size(); ++t) {
    if (vocab.is_end(t)) continue;
    const std::string& p = vocab.piece(t);
    if (p.size() > best_len && completion.starts_with(p)) {
      best = t;
      best_len = p.size();
    }
  }
  return best;
}

}  // namespace sluice::grammar
