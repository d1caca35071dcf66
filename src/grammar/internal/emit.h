// Typed IR → byte-level NFA (internal/nfa.h). One NFA rule per IR rule.
#pragma once

#include "base/status.h"
#include "grammar/internal/ir.h"
#include "grammar/internal/nfa.h"

namespace sluice::grammar::internal {

struct EmitOptions {
  int max_whitespace = 2;  // < 0: unbounded
  size_t max_states = 1 << 20;
  // CompileOptions::superset: members in any order, literals and keys in any
  // spelling, every \uXXXX escape, unbounded numbers, unsupported regexes as
  // free text.
  bool superset = false;
};

StatusOr<Nfa> Emit(const Ir& ir, const EmitOptions& options);

// Number sub-languages (emit_number.cpp), each from `from` to `to`:
// integers in [lo, hi] (either side open) without leading zeros or "-0",
// at most 18 digits when a side is open;
void EmitIntegerRange(Nfa& nfa, std::optional<int64_t> lo, std::optional<int64_t> hi, uint32_t from, uint32_t to);
// integers that are multiples of k (2 <= k <= 100);
void EmitIntegerMultiple(Nfa& nfa, int64_t k, uint32_t from, uint32_t to);
// any JSON number (no '-' when `nonnegative`): at most 18 integer and 18
// fraction digits, two exponent digits; `unbounded`: any digit counts.
void EmitNumber(Nfa& nfa, bool nonnegative, uint32_t from, uint32_t to, bool unbounded = false);

}  // namespace sluice::grammar::internal
