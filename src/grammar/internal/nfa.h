// The grammar's byte-level recursive transition network: one flat table of
// NFA states, grouped into rules. A state has byte-range edges, epsilon
// edges, call edges (enter rule `rule`, continue at `ret` when it returns)
// and a `final` flag (the rule returns from here). Rule 0 is the document.
// Everything but recursive `$ref` targets and free-form nested values is
// inlined into its caller, so most grammars are one rule.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "schema/regex.h"

namespace sluice::grammar::internal {

struct ByteEdge {
  uint8_t lo = 0;
  uint8_t hi = 0;
  uint32_t to = 0;
};

struct CallEdge {
  uint32_t rule = 0;
  uint32_t ret = 0;
};

struct NfaState {
  std::vector<ByteEdge> bytes;
  std::vector<uint32_t> eps;
  std::vector<CallEdge> calls;
  bool final = false;
  // This state is the loop head of an unbounded JSON string body: every raw
  // character or complete escape returns to it, and `"` leaves the string.
  bool free_text = false;
  // Inside a JSON string body, any sequence of up to `text_budget` plain
  // characters (U+0020 and up but '"', '\', U+2028, U+2029) is accepted from here and
  // stays inside the string, and longer ones are not (a maxLength position);
  // kUnboundedText: any number; < 0: not such a state. Token masks accept
  // plain-text tokens in bulk from these states.
  int32_t text_budget = -1;
  // A position of a maxLength string (a counted chain of characters): the
  // chain's id (0: none) and how many characters it still needs before '"'
  // may close it. Positions of one chain far from both bounds have equal
  // token masks, which the mask cache shares.
  uint32_t text_chain = 0;
  int32_t text_min_left = 0;
};

inline constexpr int32_t kUnboundedText = INT32_MAX;

struct Rule {
  uint32_t start = 0;
  uint32_t end = 0;  // the only final state of the rule
};

class Nfa {
 public:
  uint32_t NewState();
  uint32_t NewRule();  // allocates start/end states; end is final
  void Bytes(uint32_t from, uint8_t lo, uint8_t hi, uint32_t to) { states_[from].bytes.push_back({lo, hi, to}); }
  void Eps(uint32_t from, uint32_t to) { states_[from].eps.push_back(to); }
  void Call(uint32_t from, uint32_t rule, uint32_t to) { states_[from].calls.push_back({rule, to}); }

  // `from` --literal bytes--> `to`.
  void Literal(uint32_t from, std::string_view bytes, uint32_t to);
  // One code point of `set` as UTF-8 (surrogates excluded).
  void Utf8(uint32_t from, const schema::regex::CharSet& set, uint32_t to);
  // One code point of `set` as it may appear inside a JSON string: raw UTF-8
  // where JSON allows it, `\"` `\\` `\/` and the short escapes, `\u00XX`
  // for control characters (either hex case). With any_unicode_escape set:
  // `\uXXXX` for any code unit whatever `set` holds, and a surrogate pair
  // `\uD8xx\uDCxx` also as one character (a superset, for stream guards).
  void JsonChar(uint32_t from, const schema::regex::CharSet& set, uint32_t to);
  // Whitespace between tokens: up to `max` bytes of [ \t\n\r]; max < 0: any.
  void Whitespace(uint32_t from, int max, uint32_t to);

  void set_any_unicode_escape(bool on) { any_unicode_escape_ = on; }

  size_t size() const { return states_.size(); }
  const NfaState& state(uint32_t s) const { return states_[s]; }
  NfaState& mutable_state(uint32_t s) { return states_[s]; }
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  void Utf8Range(uint32_t from, char32_t lo, char32_t hi, uint32_t to);
  std::vector<NfaState> states_;
  std::vector<Rule> rules_;
  bool any_unicode_escape_ = false;
};

}  // namespace sluice::grammar::internal
