#include "grammar/internal/automaton.h"

#include <algorithm>
#include <string>

namespace sluice::grammar::internal {

Automaton::Automaton(Nfa nfa) : nfa_(std::move(nfa)) {
  // Byte classes: bytes no edge tells apart share a class.
  std::array<bool, 257> cut{};
  cut[0] = true;
  for (size_t s = 0; s < nfa_.size(); ++s) {
    for (const ByteEdge& e : nfa_.state(static_cast<uint32_t>(s)).bytes) {
      cut[e.lo] = true;
      cut[static_cast<size_t>(e.hi) + 1] = true;
    }
  }
  int cls = -1;
  for (int b = 0; b < 256; ++b) {
    if (cut[static_cast<size_t>(b)]) {
      ++cls;
      class_rep_.push_back(static_cast<uint8_t>(b));
    }
    classes_[static_cast<size_t>(b)] = static_cast<uint8_t>(cls);
  }
  rule_start_.assign(nfa_.rules().size(), kDead);
}

uint32_t Automaton::StateFor(std::vector<uint32_t> seed) const {
  // Epsilon closure.
  std::vector<uint32_t> set;
  std::vector<uint32_t> stack = std::move(seed);
  if (mark_.size() != nfa_.size()) mark_.assign(nfa_.size(), 0);
  if (++epoch_ == 0) {
    std::fill(mark_.begin(), mark_.end(), 0);
    epoch_ = 1;
  }
  while (!stack.empty()) {
    uint32_t s = stack.back();
    stack.pop_back();
    if (mark_[s] == epoch_) continue;
    mark_[s] = epoch_;
    set.push_back(s);
    for (uint32_t e : nfa_.state(s).eps) stack.push_back(e);
  }
  if (set.empty()) return kDead;
  std::sort(set.begin(), set.end());
  std::string key(reinterpret_cast<const char*>(set.data()), set.size() * sizeof(uint32_t));
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  auto st = std::make_unique<DfaState>();
  st->next.assign(class_rep_.size(), kUnknown);
  st->free_text = true;
  st->pure_text = true;
  for (uint32_t s : set) {
    const NfaState& ns = nfa_.state(s);
    st->final = st->final || ns.final;
    st->free_text = st->free_text && ns.free_text;
    st->text_budget = std::max(st->text_budget, ns.text_budget);
    st->pure_text = st->pure_text && ns.text_budget >= 0;
    for (const ByteEdge& e : ns.bytes) {
      for (int b = e.lo; b <= e.hi; ++b) st->bytes[static_cast<size_t>(b) >> 6] |= uint64_t{1} << (b & 63);
      st->has_bytes = true;
    }
    for (const CallEdge& c : ns.calls) {
      auto it = std::find_if(st->calls.begin(), st->calls.end(), [&](const DfaCall& x) { return x.rule == c.rule; });
      if (it == st->calls.end()) {
        st->calls.push_back({c.rule, {}, kDead});
        it = st->calls.end() - 1;
      }
      it->ret_nfa.push_back(c.ret);
    }
  }
  if (set.size() == 1) {
    st->text_chain = nfa_.state(set[0]).text_chain;
    st->text_min_left = nfa_.state(set[0]).text_min_left;
  }
  st->nfa = std::move(set);
  auto id = static_cast<uint32_t>(states_.size());
  states_.push_back(std::move(st));
  index_.emplace(std::move(key), id);
  return id;
}

uint32_t Automaton::RuleStart(uint32_t rule) const {
  if (rule_start_[rule] == kDead) rule_start_[rule] = StateFor({nfa_.rules()[rule].start});
  return rule_start_[rule];
}

uint32_t Automaton::CallReturn(uint32_t d, size_t call) const {
  DfaCall& c = states_[d]->calls[call];
  if (c.ret == kDead) c.ret = StateFor(c.ret_nfa);
  return c.ret;
}

uint32_t Automaton::ComputeNext(uint32_t d, uint8_t byte) const {
  std::vector<uint32_t> targets;
  for (uint32_t s : states_[d]->nfa) {
    for (const ByteEdge& e : nfa_.state(s).bytes) {
      if (e.lo <= byte && byte <= e.hi) targets.push_back(e.to);
    }
  }
  if (targets.empty()) return kDead;
  return StateFor(std::move(targets));
}

void StackPool::Clear() {
  nodes_.clear();
  index_.clear();
  nodes_.push_back({kDead, 0, 0});
}

uint32_t StackPool::Push(uint32_t ret, uint32_t parent) {
  uint64_t key = (uint64_t{ret} << 32) | parent;
  if (auto it = index_.find(key); it != index_.end()) return it->second;
  uint32_t depth = nodes_[parent].depth + 1;
  if (depth > kMaxDepth) return kDead;
  nodes_.push_back({ret, parent, depth});
  auto id = static_cast<uint32_t>(nodes_.size() - 1);
  index_.emplace(key, id);
  return id;
}

namespace {

bool Contains(const std::vector<Config>& v, Config c) { return std::find(v.begin(), v.end(), c) != v.end(); }

}  // namespace

bool Close(const Automaton& a, StackPool& pool, std::vector<Config>* configs) {
  bool accepting = false;
  // Fast path: one config with nothing to expand.
  if (configs->size() == 1) {
    const DfaState& s = a.state((*configs)[0].d);
    if (s.calls.empty() && !s.final) return false;
  }
  for (size_t i = 0; i < configs->size(); ++i) {
    Config c = (*configs)[i];
    const DfaState& s = a.state(c.d);
    if (s.final) {
      if (c.stack == StackPool::kEmpty) {
        accepting = true;
      } else {
        Config up{pool.top(c.stack), pool.parent(c.stack)};
        if (!Contains(*configs, up)) configs->push_back(up);
      }
    }
    for (size_t k = 0; k < s.calls.size(); ++k) {
      uint32_t ret = a.CallReturn(c.d, k);
      uint32_t callee = a.RuleStart(a.state(c.d).calls[k].rule);
      if (ret == kDead || callee == kDead) continue;
      uint32_t pushed = pool.Push(ret, c.stack);
      if (pushed == kDead) continue;
      Config in{callee, pushed};
      if (!Contains(*configs, in)) configs->push_back(in);
    }
  }
  return accepting;
}

bool Step(const Automaton& a, StackPool& pool, const std::vector<Config>& in, uint8_t byte,
          std::vector<Config>* out) {
  out->clear();
  for (const Config& c : in) {
    uint32_t n = a.Next(c.d, byte);
    if (n == kDead) continue;
    Config next{n, c.stack};
    if (out->empty() || !Contains(*out, next)) out->push_back(next);
  }
  if (out->empty()) return false;
  return Close(a, pool, out);
}

bool IsAccepting(const Automaton& a, const std::vector<Config>& configs) {
  for (const Config& c : configs) {
    if (c.stack == StackPool::kEmpty && a.state(c.d).final) return true;
  }
  return false;
}

std::array<uint64_t, 4> NextBytes(const Automaton& a, const std::vector<Config>& configs) {
  std::array<uint64_t, 4> out{};
  for (const Config& c : configs) {
    const auto& b = a.state(c.d).bytes;
    for (size_t i = 0; i < 4; ++i) out[i] |= b[i];
  }
  return out;
}

}  // namespace sluice::grammar::internal
