// The regex pre-tokenizers as code-point scanners.
//
// Each Next* function returns the end of the piece that starts at `p`
// (p < e), i.e. the match the regex's leftmost-first alternation finds at `p`.
// Every alternative set covers every character, so matches are contiguous and
// the scan never skips text. Each byte is examined a bounded number of times
// (at most a few rescans of one run), so splitting is linear in the input.
#include "tokenizer/pretokenizer/internal/scan.h"

namespace sluice::tokenizer::internal {
namespace {

constexpr uint8_t kLN = kClassLetter | kClassNumber;
constexpr uint8_t kLNS = kClassLetter | kClassNumber | kClassSpace;

// `[^\s\p{L}\p{N}]`
inline bool IsOther(uint8_t c) { return (c & kLNS) == 0; }

// Length in bytes of `'s|'t|'re|'ve|'m|'ll|'d` at p (0 if none). With
// `icase`, Unicode simple case folding applies: ASCII case, plus U+017F LONG S
// (UTF-8 C5 BF) folding to s; no other code point folds to s,t,r,e,v,m,l,d.
size_t Contraction(const char* p, const char* e, bool icase) {
  if (*p != '\'') return 0;
  auto letter = [&](const char* q, size_t* n) -> char {
    if (q >= e) return 0;
    const auto b = static_cast<unsigned char>(*q);
    *n = 1;
    if (b < 0x80) return icase && b >= 'A' && b <= 'Z' ? static_cast<char>(b + 32) : static_cast<char>(b);
    if (icase && b == 0xC5 && q + 1 < e && static_cast<unsigned char>(q[1]) == 0xBF) {
      *n = 2;
      return 's';
    }
    return 0;
  };
  size_t n1 = 0;
  const char c1 = letter(p + 1, &n1);
  switch (c1) {
    case 's': case 't': case 'm': case 'd':
      return 1 + n1;
    case 'r': case 'v': case 'l': {
      size_t n2 = 0;
      const char want = c1 == 'l' ? 'l' : 'e';
      return letter(p + 1 + n1, &n2) == want ? 1 + n1 + n2 : 0;
    }
    default:
      return 0;
  }
}

// A maximal whitespace run [p, end): also where its last code point starts and
// the end of its last \r or \n (nullptr if it has none).
struct SpaceRun {
  const char* end;
  const char* last_start;
  const char* after_last_newline;
};

inline SpaceRun ScanSpaceRun(const char* p, const char* e) {
  SpaceRun run{p, p, nullptr};
  while (p < e) {
    const Cp c = At(p, e);
    if (!(c.cls & kClassSpace)) break;
    run.last_start = p;
    p += c.len;
    if (c.cp == '\r' || c.cp == '\n') run.after_last_newline = p;
  }
  run.end = p;
  return run;
}

// `\s+(?!\S)|\s+` at a whitespace code point p: the run minus its last code
// point when a non-space follows and that leaves something, else the run.
inline const char* SpaceTail(const SpaceRun& run, const char* p, const char* e) {
  if (run.end == e || run.last_start == p) return run.end;
  return run.last_start;
}

// `\s*[\r\n]+|\s+(?!\S)|\s+` at a whitespace code point p.
inline const char* SpaceWithNewlines(const char* p, const char* e) {
  const SpaceRun run = ScanSpaceRun(p, e);
  if (run.after_last_newline != nullptr) return run.after_last_newline;
  return SpaceTail(run, p, e);
}

// Up to `max_n` code points of \p{N}.
inline const char* Digits(const char* p, const char* e, int max_n) {
  for (int i = 0; i < max_n && p < e; ++i) {
    const Cp c = At(p, e);
    if (!(c.cls & kClassNumber)) break;
    p += c.len;
  }
  return p;
}

inline const char* SkipNewlines(const char* p, const char* e, bool slash) {
  while (p < e && (*p == '\r' || *p == '\n' || (slash && *p == '/'))) ++p;
  return p;
}

// ---- GPT-2 ----
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
inline const char* NextGpt2(const char* p, const char* e) {
  const Cp c = At(p, e);
  if (c.cp == '\'') {
    if (const size_t n = Contraction(p, e, false)) return p + n;
  }
  uint8_t cls = c.cls;
  const char* q = p;
  if (c.cp == ' ' && p + 1 < e) {
    const Cp c2 = At(p + 1, e);
    if (!(c2.cls & kClassSpace)) {  // ` ?` takes the space
      cls = c2.cls;
      q = p + 1;
    }
  }
  if (cls & kClassLetter) return SkipWhile(q, e, [](uint8_t k) { return (k & kClassLetter) != 0; });
  if (cls & kClassNumber) return SkipWhile(q, e, [](uint8_t k) { return (k & kClassNumber) != 0; });
  if (IsOther(cls)) return SkipWhile(q, e, IsOther);
  return SpaceTail(ScanSpaceRun(p, e), p, e);
}

// ---- cl100k / Llama-3 and Qwen2 ----
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//  ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+     (Qwen2: \p{N})
template <int kMaxDigits>
inline const char* NextCl100k(const char* p, const char* e) {
  const Cp c = At(p, e);
  if (c.cp == '\'') {
    if (const size_t n = Contraction(p, e, true)) return p + n;
  }
  auto is_letter = [](uint8_t k) { return (k & kClassLetter) != 0; };
  if (c.cls & kClassLetter) return SkipWhile(p + c.len, e, is_letter);
  const char* next = p + c.len;
  if (!(c.cls & kClassNumber) && c.cp != '\r' && c.cp != '\n' && next < e) {
    const Cp c2 = At(next, e);
    if (c2.cls & kClassLetter) return SkipWhile(next + c2.len, e, is_letter);
  }
  if (c.cls & kClassNumber) return Digits(p, e, kMaxDigits);
  const char* q = nullptr;
  if (IsOther(c.cls)) {
    q = p;
  } else if (c.cp == ' ' && next < e && IsOther(At(next, e).cls)) {
    q = next;
  }
  if (q != nullptr) return SkipNewlines(SkipWhile(q, e, IsOther), e, false);
  return SpaceWithNewlines(p, e);
}

// ---- o200k ----
// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|...)?
// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|...)?
// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
inline bool IsUpperish(uint8_t k) { return (k & kClassUpperish) != 0; }
inline bool IsLowerish(uint8_t k) { return (k & kClassLowerish) != 0; }

// `UP* LO+` at s, with the regex's backtracking: the greedy UP* run, then LO+
// right after it; failing that, UP* gives back code points until one that is
// also LO (Lm, Lo, M) can start LO+ — the last such one in the run, and LO+
// then ends right after it (what follows it in the run is Lu/Lt only).
// Returns nullptr when there is no match.
const char* UpStarLoPlus(const char* s, const char* e) {
  const char* q = s;
  const char* last_both_end = nullptr;
  while (q < e) {
    const Cp c = At(q, e);
    if (!IsUpperish(c.cls)) break;
    q += c.len;
    if (IsLowerish(c.cls)) last_both_end = q;
  }
  if (q < e) {
    const Cp c = At(q, e);
    if (IsLowerish(c.cls)) return SkipWhile(q + c.len, e, IsLowerish);
  }
  return last_both_end;
}

// `UP+ LO*` at s; nullptr when s does not start with UP.
const char* UpPlusLoStar(const char* s, const char* e) {
  if (s >= e || !IsUpperish(At(s, e).cls)) return nullptr;
  return SkipWhile(SkipWhile(s, e, IsUpperish), e, IsLowerish);
}

inline const char* NextO200k(const char* p, const char* e) {
  const Cp c = At(p, e);
  const char* next = p + c.len;
  const bool prefix_ok = !(c.cls & kLN) && c.cp != '\r' && c.cp != '\n' && next < e;
  const char* r = nullptr;
  if (prefix_ok) r = UpStarLoPlus(next, e);
  if (r == nullptr) r = UpStarLoPlus(p, e);
  if (r == nullptr && prefix_ok) r = UpPlusLoStar(next, e);
  if (r == nullptr) r = UpPlusLoStar(p, e);
  if (r != nullptr) return r + (r < e ? Contraction(r, e, true) : 0);
  if (c.cls & kClassNumber) return Digits(p, e, 3);
  const char* q = nullptr;
  if (IsOther(c.cls)) {
    q = p;
  } else if (c.cp == ' ' && next < e && IsOther(At(next, e).cls)) {
    q = next;
  }
  if (q != nullptr) return SkipNewlines(SkipWhile(q, e, IsOther), e, true);
  return SpaceWithNewlines(p, e);
}

// The loop is instantiated per scanner so that `Next` inlines into it.
template <const char* (*Next)(const char*, const char*)>
void SplitWith(std::string_view text, std::vector<std::string_view>* out) {
  const char* p = text.data();
  const char* const e = p + text.size();
  while (p < e) {
    const char* q = Next(p, e);
    out->emplace_back(p, static_cast<size_t>(q - p));
    p = q;
  }
}

}  // namespace

void SplitRegex(PreTokenizerKind kind, std::string_view text, std::vector<std::string_view>* out) {
  switch (kind) {
    case PreTokenizerKind::kGpt2: return SplitWith<NextGpt2>(text, out);
    case PreTokenizerKind::kLlama3: return SplitWith<NextCl100k<3>>(text, out);
    case PreTokenizerKind::kQwen2: return SplitWith<NextCl100k<1>>(text, out);
    case PreTokenizerKind::kO200k: return SplitWith<NextO200k>(text, out);
    default: return;
  }
}

}  // namespace sluice::tokenizer::internal
