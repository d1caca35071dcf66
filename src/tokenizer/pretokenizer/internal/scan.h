// Private scanning primitives shared by the splitters.
#pragma once

#include <string_view>
#include <vector>

#include "tokenizer/pretokenizer/pretokenizer.h"
#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer::internal {

// One decoded code point: value, CodePointClass bits, length in bytes.
struct Cp {
  char32_t cp;
  uint8_t cls;
  int len;
};

// Decodes the code point at p (requires p < e), with an ASCII fast path.
inline Cp At(const char* p, const char* e) {
  const auto b = static_cast<unsigned char>(*p);
  if (b < 0x80) return Cp{b, kAsciiClass[b], 1};
  int n = 1;
  const char32_t cp = DecodeUtf8(p, e, &n);
  return Cp{cp, ClassOfSlow(cp), n};
}

// Advances past code points whose class satisfies `pred`.
template <typename Pred>
inline const char* SkipWhile(const char* p, const char* e, Pred pred) {
  while (p < e) {
    const auto b = static_cast<unsigned char>(*p);
    if (b < 0x80) {
      if (!pred(kAsciiClass[b])) break;
      ++p;
      continue;
    }
    int n = 1;
    const char32_t cp = DecodeUtf8(p, e, &n);
    if (!pred(ClassOfSlow(cp))) break;
    p += n;
  }
  return p;
}

// Splits `text` into contiguous pieces with the scanner of a regex-based
// kind (kGpt2, kLlama3, kQwen2, kO200k; others append nothing).
void SplitRegex(PreTokenizerKind kind, std::string_view text, std::vector<std::string_view>* out);

}  // namespace sluice::tokenizer::internal
