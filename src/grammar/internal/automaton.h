// The grammar's automaton: the NFA (internal/nfa.h) determinized lazily,
// rule by rule, plus the runtime that steps a set of (DFA state, stack)
// configurations byte by byte.
//
// A DFA state is an epsilon-closed set of NFA states of one rule. Its byte
// transitions (over byte classes) are computed on first use; its call edges
// are grouped by callee: entering rule R from state D continues, when R
// returns, in the DFA state of all of D's return states for R. A config is
// (DFA state, stack), where the stack holds return DFA states; a set of
// configs is "closed" when calls have been entered and final states of
// called rules have returned.
//
// Thread-safety: all methods require the lock from Lock(); the automaton is
// shared by every matcher of a grammar and only ever grows.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "grammar/internal/nfa.h"

namespace sluice::grammar::internal {

inline constexpr uint32_t kDead = UINT32_MAX;

struct DfaCall {
  uint32_t rule = 0;
  std::vector<uint32_t> ret_nfa;  // NFA return states (closure computed on use)
  uint32_t ret = kDead;           // their DFA state, once computed
};

struct DfaState {
  std::vector<uint32_t> nfa;      // sorted, epsilon-closed
  std::vector<uint32_t> next;     // per byte class; kDead - 1: not computed yet
  std::vector<DfaCall> calls;
  std::array<uint64_t, 4> bytes{};  // bytes with some transition
  bool final = false;               // contains the rule's final state
  bool free_text = false;           // every NFA state is a free-text loop head
  // Largest NfaState::text_budget of its NFA states (-1: none): plain-text
  // tokens of at most this many characters are accepted, inside the string.
  int32_t text_budget = -1;
  // Every NFA state is a text state: plain-text runs longer than
  // text_budget are rejected too.
  bool pure_text = false;
  // The only NFA state is a maxLength chain position: its chain, or 0.
  uint32_t text_chain = 0;
  int32_t text_min_left = 0;
  bool has_bytes = false;
};

class Automaton {
 public:
  static constexpr uint32_t kUnknown = kDead - 1;

  explicit Automaton(Nfa nfa);
  std::unique_lock<std::mutex> Lock() const { return std::unique_lock<std::mutex>(mu_); }

  // --- lock held ---
  uint32_t Start() const { return RuleStart(0); }
  uint32_t RuleStart(uint32_t rule) const;
  // The DFA state after `byte`, or kDead.
  uint32_t Next(uint32_t d, uint8_t byte) const {
    DfaState& s = *states_[d];
    uint32_t& n = s.next[classes_[byte]];
    if (n == kUnknown) n = ComputeNext(d, byte);
    return n;
  }
  uint32_t CallReturn(uint32_t d, size_t call) const;
  const DfaState& state(uint32_t d) const { return *states_[d]; }
  size_t n_states() const { return states_.size(); }
  const Nfa& nfa() const { return nfa_; }

 private:
  uint32_t ComputeNext(uint32_t d, uint8_t byte) const;
  uint32_t StateFor(std::vector<uint32_t> seed) const;

  Nfa nfa_;
  std::array<uint8_t, 256> classes_{};
  std::vector<uint8_t> class_rep_;  // a byte of each class
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<DfaState>> states_;
  mutable std::unordered_map<std::string, uint32_t> index_;  // key: packed NFA set
  mutable std::vector<uint32_t> rule_start_;
  mutable std::vector<uint32_t> mark_;  // StateFor's visited set: mark_[s] == epoch_
  mutable uint32_t epoch_ = 0;
};

struct Config {
  uint32_t d = 0;
  uint32_t stack = 0;  // 0: empty stack; else a StackPool node
  bool operator==(const Config&) const = default;
};

// Interned stacks: equal stacks have equal ids. Not thread-safe; one per matcher.
class StackPool {
 public:
  static constexpr uint32_t kEmpty = 0;
  static constexpr uint32_t kMaxDepth = 2048;

  StackPool() { Clear(); }
  void Clear();
  // kDead when the stack would exceed kMaxDepth.
  uint32_t Push(uint32_t ret, uint32_t parent);
  uint32_t top(uint32_t s) const { return nodes_[s].ret; }
  uint32_t parent(uint32_t s) const { return nodes_[s].parent; }

 private:
  struct Node {
    uint32_t ret;
    uint32_t parent;
    uint32_t depth;
  };
  std::vector<Node> nodes_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

// Closes `configs` in place. Returns whether one is accepting (the document
// rule final with an empty stack).
bool Close(const Automaton& a, StackPool& pool, std::vector<Config>* configs);
// Steps the closed set `in` by `byte` into `out` (closed). Returns whether
// `out` is accepting; `out` empty means the byte is not allowed.
bool Step(const Automaton& a, StackPool& pool, const std::vector<Config>& in, uint8_t byte,
          std::vector<Config>* out);
bool IsAccepting(const Automaton& a, const std::vector<Config>& configs);
// Bytes some config can consume next.
std::array<uint64_t, 4> NextBytes(const Automaton& a, const std::vector<Config>& configs);

}  // namespace sluice::grammar::internal
