// Integer ranges as digit automata: split [lo, hi] by digit count, then each
// equal-length range [s, t] by its first digit (the construction behind
// "regex for a numeric range" generators).
#include <string>

#include "grammar/internal/emit.h"

namespace sluice::grammar::internal {
namespace {

// Longest digit run the grammar writes (integer part, fraction): 18 digits
// stay exact int64 values for every JSON parser; unbounded runs would let a
// sampler write numbers that parse as infinity.
constexpr size_t kMaxDigits = 18;

// [0-9]{1,n} from `from` to `to`.
void UpToDigits(Nfa& nfa, size_t n, uint32_t from, uint32_t to) {
  uint32_t cur = from;
  for (size_t i = 0; i < n; ++i) {
    uint32_t next = nfa.NewState();
    nfa.Bytes(cur, '0', '9', next);
    nfa.Eps(next, to);
    cur = next;
  }
}

void AnyDigits(Nfa& nfa, size_t n, uint32_t from, uint32_t to) {
  uint32_t cur = from;
  for (size_t i = 0; i < n; ++i) {
    uint32_t next = i + 1 == n ? to : nfa.NewState();
    nfa.Bytes(cur, '0', '9', next);
    cur = next;
  }
  if (n == 0) nfa.Eps(from, to);
}

// Digit strings of length |s| between s and t (s <= t, same length).
void SameLength(Nfa& nfa, std::string_view s, std::string_view t, uint32_t from, uint32_t to) {
  size_t n = s.size();
  auto s0 = static_cast<uint8_t>(s[0]), t0 = static_cast<uint8_t>(t[0]);
  if (n == 1) {
    nfa.Bytes(from, s0, t0, to);
    return;
  }
  if (s0 == t0) {
    uint32_t mid = nfa.NewState();
    nfa.Bytes(from, s0, s0, mid);
    SameLength(nfa, s.substr(1), t.substr(1), mid, to);
    return;
  }
  std::string nines(n - 1, '9'), zeros(n - 1, '0');
  uint32_t low = nfa.NewState();
  nfa.Bytes(from, s0, s0, low);
  if (s.substr(1) == zeros) AnyDigits(nfa, n - 1, low, to);
  else SameLength(nfa, s.substr(1), nines, low, to);
  if (s0 + 1 <= t0 - 1) {
    uint32_t mid = nfa.NewState();
    nfa.Bytes(from, static_cast<uint8_t>(s0 + 1), static_cast<uint8_t>(t0 - 1), mid);
    AnyDigits(nfa, n - 1, mid, to);
  }
  uint32_t high = nfa.NewState();
  nfa.Bytes(from, t0, t0, high);
  if (t.substr(1) == nines) AnyDigits(nfa, n - 1, high, to);
  else SameLength(nfa, zeros, t.substr(1), high, to);
}

// Magnitudes in [a, b] (b open when absent) as decimal digits.
void Magnitudes(Nfa& nfa, uint64_t a, std::optional<uint64_t> b, uint32_t from, uint32_t to) {
  std::string sa = std::to_string(a);
  if (b) {
    if (*b < a) return;
    std::string sb = std::to_string(*b);
    for (size_t len = sa.size(); len <= sb.size(); ++len) {
      std::string lo = sa;
      if (len != sa.size()) {  // 10...0 (built in place: GCC 12's -Wrestrict misfires on "1" + string)
        lo.assign(len, '0');
        lo[0] = '1';
      }
      std::string hi = len == sb.size() ? sb : std::string(len, '9');
      SameLength(nfa, lo, hi, from, to);
    }
    return;
  }
  SameLength(nfa, sa, std::string(sa.size(), '9'), from, to);
  // Any longer number up to kMaxDigits: [1-9] then at least |sa| digits.
  if (sa.size() >= kMaxDigits) return;
  uint32_t first = nfa.NewState();
  nfa.Bytes(from, '1', '9', first);
  uint32_t tail = nfa.NewState();
  AnyDigits(nfa, sa.size(), first, tail);
  nfa.Eps(tail, to);
  for (size_t len = sa.size() + 2; len <= kMaxDigits; ++len) {
    uint32_t next = nfa.NewState();
    nfa.Bytes(tail, '0', '9', next);
    nfa.Eps(next, to);
    tail = next;
  }
}

uint64_t Magnitude(int64_t v) { return v < 0 ? static_cast<uint64_t>(-(v + 1)) + 1 : static_cast<uint64_t>(v); }

}  // namespace

void EmitIntegerRange(Nfa& nfa, std::optional<int64_t> lo, std::optional<int64_t> hi, uint32_t from, uint32_t to) {
  if (lo && hi && *lo > *hi) return;
  if (!hi || *hi >= 0) {
    uint64_t a = lo && *lo > 0 ? static_cast<uint64_t>(*lo) : 0;
    std::optional<uint64_t> b;
    if (hi) b = static_cast<uint64_t>(*hi);
    Magnitudes(nfa, a, b, from, to);
  }
  if (!lo || *lo < 0) {
    uint64_t a = hi && *hi < 0 ? Magnitude(*hi) : 1;
    std::optional<uint64_t> b;
    if (lo) b = Magnitude(*lo);
    uint32_t neg = nfa.NewState();
    nfa.Bytes(from, '-', '-', neg);
    Magnitudes(nfa, a, b, neg, to);
  }
}

void EmitIntegerMultiple(Nfa& nfa, int64_t k, uint32_t from, uint32_t to) {
  nfa.Bytes(from, '0', '0', to);
  uint32_t neg = nfa.NewState();
  nfa.Bytes(from, '-', '-', neg);
  // residue[len - 1][r]: `len` digits read, value mod k == r.
  std::vector<std::vector<uint32_t>> residue(kMaxDigits, std::vector<uint32_t>(static_cast<size_t>(k)));
  for (auto& row : residue) {
    for (auto& r : row) r = nfa.NewState();
  }
  for (int64_t d = 1; d <= 9; ++d) {
    auto b = static_cast<uint8_t>('0' + d);
    nfa.Bytes(from, b, b, residue[0][static_cast<size_t>(d % k)]);
    nfa.Bytes(neg, b, b, residue[0][static_cast<size_t>(d % k)]);
  }
  for (size_t len = 0; len < kMaxDigits; ++len) {
    nfa.Eps(residue[len][0], to);
    if (len + 1 == kMaxDigits) break;
    for (int64_t r = 0; r < k; ++r) {
      for (int64_t d = 0; d <= 9; ++d) {
        auto b = static_cast<uint8_t>('0' + d);
        nfa.Bytes(residue[len][static_cast<size_t>(r)], b, b, residue[len + 1][static_cast<size_t>((r * 10 + d) % k)]);
      }
    }
  }
}

void EmitNumber(Nfa& nfa, bool nonnegative, uint32_t from, uint32_t to, bool unbounded) {
  uint32_t sign = nfa.NewState();
  nfa.Eps(from, sign);
  if (!nonnegative) nfa.Bytes(from, '-', '-', sign);
  uint32_t integer = nfa.NewState();
  nfa.Bytes(sign, '0', '0', integer);
  uint32_t digits = nfa.NewState();
  nfa.Bytes(sign, '1', '9', digits);
  nfa.Eps(digits, integer);
  uint32_t dot = nfa.NewState(), frac = nfa.NewState();
  nfa.Bytes(integer, '.', '.', dot);
  uint32_t e = nfa.NewState(), esign = nfa.NewState(), exp = nfa.NewState();
  if (unbounded) {
    nfa.Bytes(digits, '0', '9', digits);
    nfa.Bytes(dot, '0', '9', frac);
    nfa.Bytes(frac, '0', '9', frac);
  } else {
    UpToDigits(nfa, kMaxDigits - 1, digits, integer);
    UpToDigits(nfa, kMaxDigits, dot, frac);
  }
  nfa.Eps(integer, to);
  nfa.Eps(frac, to);
  nfa.Bytes(integer, 'e', 'e', e);
  nfa.Bytes(integer, 'E', 'E', e);
  nfa.Bytes(frac, 'e', 'e', e);
  nfa.Bytes(frac, 'E', 'E', e);
  nfa.Eps(e, esign);
  nfa.Bytes(e, '+', '+', esign);
  nfa.Bytes(e, '-', '-', esign);
  nfa.Bytes(esign, '0', '9', exp);
  nfa.Eps(exp, to);
  if (unbounded) {
    nfa.Bytes(exp, '0', '9', exp);
    return;
  }
  // At most two exponent digits: parsers (Boost.JSON included) refuse
  // exponents that overflow.
  uint32_t exp2 = nfa.NewState();
  nfa.Bytes(exp, '0', '9', exp2);
  nfa.Eps(exp2, to);
}

}  // namespace sluice::grammar::internal
