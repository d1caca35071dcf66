#include "grammar/internal/nfa.h"

#include <algorithm>
#include <array>

namespace sluice::grammar::internal {
namespace {

using schema::regex::CharRange;
using schema::regex::CharSet;

int Utf8Length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

std::array<uint8_t, 4> Encode(char32_t c, int n) {
  std::array<uint8_t, 4> b{};
  switch (n) {
    case 1: b[0] = static_cast<uint8_t>(c); break;
    case 2:
      b[0] = static_cast<uint8_t>(0xC0 | (c >> 6));
      b[1] = static_cast<uint8_t>(0x80 | (c & 0x3F));
      break;
    case 3:
      b[0] = static_cast<uint8_t>(0xE0 | (c >> 12));
      b[1] = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3F));
      b[2] = static_cast<uint8_t>(0x80 | (c & 0x3F));
      break;
    default:
      b[0] = static_cast<uint8_t>(0xF0 | (c >> 18));
      b[1] = static_cast<uint8_t>(0x80 | ((c >> 12) & 0x3F));
      b[2] = static_cast<uint8_t>(0x80 | ((c >> 6) & 0x3F));
      b[3] = static_cast<uint8_t>(0x80 | (c & 0x3F));
  }
  return b;
}

}  // namespace

uint32_t Nfa::NewState() {
  states_.emplace_back();
  return static_cast<uint32_t>(states_.size() - 1);
}

uint32_t Nfa::NewRule() {
  Rule r;
  r.start = NewState();
  r.end = NewState();
  states_[r.end].final = true;
  rules_.push_back(r);
  return static_cast<uint32_t>(rules_.size() - 1);
}

void Nfa::Literal(uint32_t from, std::string_view bytes, uint32_t to) {
  if (bytes.empty()) {
    Eps(from, to);
    return;
  }
  uint32_t cur = from;
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint32_t next = i + 1 == bytes.size() ? to : NewState();
    auto b = static_cast<uint8_t>(bytes[i]);
    Bytes(cur, b, b, next);
    cur = next;
  }
}

// Splits [lo, hi] (same UTF-8 length) until each piece is a product of byte
// ranges (the construction RE2 and Rust's utf8-ranges use).
void Nfa::Utf8Range(uint32_t from, char32_t lo, char32_t hi, uint32_t to) {
  int n = Utf8Length(lo);
  int nh = Utf8Length(hi);
  if (n != nh) {
    char32_t top = n == 1 ? 0x7F : n == 2 ? 0x7FF : 0xFFFF;
    Utf8Range(from, lo, top, to);
    Utf8Range(from, top + 1, hi, to);
    return;
  }
  for (int i = 1; i < n; ++i) {
    char32_t m = (char32_t{1} << (6 * i)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        Utf8Range(from, lo, lo | m, to);
        Utf8Range(from, (lo | m) + 1, hi, to);
        return;
      }
      if ((hi & m) != m) {
        Utf8Range(from, lo, (hi & ~m) - 1, to);
        Utf8Range(from, hi & ~m, hi, to);
        return;
      }
    }
  }
  auto a = Encode(lo, n);
  auto b = Encode(hi, n);
  uint32_t cur = from;
  for (int i = 0; i < n; ++i) {
    uint32_t next = i + 1 == n ? to : NewState();
    Bytes(cur, a[i], b[i], next);
    cur = next;
  }
}

void Nfa::Utf8(uint32_t from, const CharSet& set, uint32_t to) {
  for (const CharRange& r : set.ranges()) {
    char32_t lo = r.lo, hi = std::min<char32_t>(r.hi, 0x10FFFF);
    // Surrogates are not scalar values; UTF-8 cannot carry them.
    if (lo <= 0xDFFF && hi >= 0xD800) {
      if (lo < 0xD800) Utf8Range(from, lo, 0xD7FF, to);
      if (hi > 0xDFFF) Utf8Range(from, 0xE000, hi, to);
    } else if (lo <= hi) {
      Utf8Range(from, lo, hi, to);
    }
  }
}

void Nfa::JsonChar(uint32_t from, const CharSet& set, uint32_t to) {
  CharSet raw;
  for (const CharRange& r : set.ranges()) {
    char32_t lo = std::max<char32_t>(r.lo, 0x20);
    if (lo > r.hi) continue;
    // Cut out '"' (0x22) and '\' (0x5C).
    std::vector<CharRange> pieces;
    char32_t cur = lo;
    for (char32_t cut : {char32_t{0x22}, char32_t{0x5C}}) {
      if (cut < cur || cut > r.hi) continue;
      if (cut > cur) pieces.push_back({cur, cut - 1});
      cur = cut + 1;
    }
    if (cur <= r.hi) pieces.push_back({cur, r.hi});
    for (const CharRange& p : pieces) raw.Add(CharSet::Range(p.lo, p.hi));
  }
  Utf8(from, raw, to);
  bool any_escape = set.Contains('"') || set.Contains('\\') || set.Contains('/');
  for (char32_t c = 0; c < 0x20 && !any_escape; ++c) any_escape = set.Contains(c);
  if (!any_escape && !any_unicode_escape_) return;
  uint32_t esc = NewState();
  Bytes(from, '\\', '\\', esc);
  for (char c : {'"', '\\', '/'}) {
    if (set.Contains(static_cast<char32_t>(c))) Bytes(esc, static_cast<uint8_t>(c), static_cast<uint8_t>(c), to);
  }
  static constexpr std::pair<char, char32_t> kShort[] = {{'b', 8}, {'f', 12}, {'n', 10}, {'r', 13}, {'t', 9}};
  for (auto [letter, code] : kShort) {
    if (set.Contains(code)) Bytes(esc, static_cast<uint8_t>(letter), static_cast<uint8_t>(letter), to);
  }
  if (any_unicode_escape_) {
    // \uXXXX (any code unit), or a high surrogate and a low one as one character.
    auto hex = [&](uint32_t a, uint32_t b) {
      Bytes(a, '0', '9', b);
      Bytes(a, 'a', 'f', b);
      Bytes(a, 'A', 'F', b);
    };
    uint32_t u = NewState();
    Bytes(esc, 'u', 'u', u);
    uint32_t cur = u;
    for (int i = 0; i < 3; ++i) {
      uint32_t next = NewState();
      hex(cur, next);
      cur = next;
    }
    hex(cur, to);
    uint32_t d = NewState(), h1 = NewState(), h2 = NewState(), h3 = NewState(), b1 = NewState(), b2 = NewState(),
             l0 = NewState(), l1 = NewState(), l2 = NewState();
    Bytes(u, 'd', 'd', d);
    Bytes(u, 'D', 'D', d);
    Bytes(d, '8', '9', h1);
    Bytes(d, 'a', 'b', h1);
    Bytes(d, 'A', 'B', h1);
    hex(h1, h2);
    hex(h2, h3);
    Bytes(h3, '\\', '\\', b1);
    Bytes(b1, 'u', 'u', b2);
    Bytes(b2, 'd', 'd', l0);
    Bytes(b2, 'D', 'D', l0);
    Bytes(l0, 'c', 'f', l1);
    Bytes(l0, 'C', 'F', l1);
    hex(l1, l2);
    hex(l2, to);
    return;
  }
  // \u00XX for control characters.
  uint32_t u00 = 0;
  for (char32_t hi_digit = 0; hi_digit < 2; ++hi_digit) {
    uint32_t after_hi = 0;
    for (char32_t lo_digit = 0; lo_digit < 16; ++lo_digit) {
      char32_t c = hi_digit * 16 + lo_digit;
      if (!set.Contains(c)) continue;
      if (u00 == 0) {
        u00 = NewState();
        Literal(esc, "u00", u00);
      }
      if (after_hi == 0) {
        after_hi = NewState();
        auto d = static_cast<uint8_t>('0' + hi_digit);
        Bytes(u00, d, d, after_hi);
      }
      if (lo_digit < 10) {
        auto d = static_cast<uint8_t>('0' + lo_digit);
        Bytes(after_hi, d, d, to);
      } else {
        auto lower = static_cast<uint8_t>('a' + (lo_digit - 10));
        auto upper = static_cast<uint8_t>('A' + (lo_digit - 10));
        Bytes(after_hi, lower, lower, to);
        Bytes(after_hi, upper, upper, to);
      }
    }
  }
}

void Nfa::Whitespace(uint32_t from, int max, uint32_t to) {
  Eps(from, to);
  if (max == 0) return;
  auto ws = [&](uint32_t a, uint32_t b) {
    Bytes(a, ' ', ' ', b);
    Bytes(a, '\t', '\n', b);
    Bytes(a, '\r', '\r', b);
  };
  if (max < 0) {
    uint32_t loop = NewState();
    ws(from, loop);
    ws(loop, loop);
    Eps(loop, to);
    return;
  }
  uint32_t cur = from;
  for (int i = 0; i < max; ++i) {
    uint32_t next = NewState();
    ws(cur, next);
    Eps(next, to);
    cur = next;
  }
}

}  // namespace sluice::grammar::internal
