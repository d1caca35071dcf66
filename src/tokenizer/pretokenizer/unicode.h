// Unicode helpers for the tokenizer: a bounds-checked UTF-8 decoder and a
// fast code-point class table (the categories the pre-tokenizer regexes use).
//
// Invalid UTF-8 policy. Tokenizer input from JSON is valid UTF-8, but raw CLI
// or file input may not be. The decoder never reads past `end` and never
// fails: every byte that does not start a well-formed sequence (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate
// U+D800..U+DFFF, a value above U+10FFFF, bytes F5..FF) is decoded as ONE
// code point of length 1 with value kInvalidCodePoint. Such a byte classifies
// exactly like U+FFFD REPLACEMENT CHARACTER (category So: not a letter, not a
// number, not whitespace), so the splitters treat it the way the reference
// regexes treat text whose invalid bytes were replaced one-for-one by U+FFFD.
// Pieces are views into the original bytes, so byte-level BPE still round
// trips the exact input.
//
// Thread safety: all functions are thread-safe; the class table is built once
// (on first use, under the C++ static-initialisation guarantee) and is
// immutable afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/utf8.h"

namespace sluice::tokenizer {

// Returned by DecodeUtf8 for a byte that does not start a valid sequence.
// Outside the Unicode range on purpose: it cannot collide with a real code point.
inline constexpr char32_t kInvalidCodePoint = 0x110000;

// Decodes the code point starting at `p` (requires p < end). Stores its length
// in bytes (1..4) in *n_bytes. See the invalid UTF-8 policy above.
inline char32_t DecodeUtf8(const char* p, const char* end, int* n_bytes);

// AppendUtf8(cp, out) is base/utf8.h's.
using ::sluice::AppendUtf8;

// Bit set of the classes the pre-tokenizer regexes and the BERT rules ask about.
enum CodePointClass : uint8_t {
  kClassLetter = 1 << 0,      // \p{L}
  kClassNumber = 1 << 1,      // \p{N}
  kClassSpace = 1 << 2,       // \s = Unicode White_Space (incl. U+0085, excl. U+FEFF)
  kClassUpperish = 1 << 3,    // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]  (o200k)
  kClassLowerish = 1 << 4,    // [\p{Ll}\p{Lm}\p{Lo}\p{M}]        (o200k)
  kClassBertPunct = 1 << 5,   // \p{P} or ASCII punctuation/symbols (BERT)
  kClassMark = 1 << 6,        // \p{M}
  kClassOther = 1 << 7,       // \p{C}: Cc, Cf, Cs, Co, Cn (BERT "control" minus \t\n\r)
};

// The classes of `cp` (any value; kInvalidCodePoint classifies as U+FFFD).
inline uint8_t ClassOf(char32_t cp);

namespace internal {
extern const uint8_t kAsciiClass[128];
// Two-stage table over all of Unicode; built from utf8proc on first use.
uint8_t ClassOfSlow(char32_t cp);
// Straight from utf8proc_category, no table (for tests).
uint8_t ClassOfReference(char32_t cp);
}  // namespace internal

// ---- inline definitions (hot path) ----

inline uint8_t ClassOf(char32_t cp) {
  if (cp < 0x80) return internal::kAsciiClass[cp];
  return internal::ClassOfSlow(cp);
}

inline char32_t DecodeUtf8(const char* p, const char* end, int* n_bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(p);
  const unsigned char b0 = s[0];
  if (b0 < 0x80) {
    *n_bytes = 1;
    return b0;
  }
  const std::ptrdiff_t avail = end - p;
  auto cont = [&](std::ptrdiff_t i) { return i < avail && (s[i] & 0xC0) == 0x80; };
  *n_bytes = 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return kInvalidCodePoint;
    *n_bytes = 2;
    return (char32_t{b0 & 0x1Fu} << 6) | (s[1] & 0x3Fu);
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return kInvalidCodePoint;
    const char32_t cp = (char32_t{b0 & 0x0Fu} << 12) | (char32_t{s[1] & 0x3Fu} << 6) | (s[2] & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalidCodePoint;
    *n_bytes = 3;
    return cp;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return kInvalidCodePoint;
    const char32_t cp = (char32_t{b0 & 0x07u} << 18) | (char32_t{s[1] & 0x3Fu} << 12) |
                        (char32_t{s[2] & 0x3Fu} << 6) | (s[3] & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return kInvalidCodePoint;
    *n_bytes = 4;
    return cp;
  }
  return kInvalidCodePoint;
}

}  // namespace sluice::tokenizer
