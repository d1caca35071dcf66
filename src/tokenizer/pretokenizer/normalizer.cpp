#include "tokenizer/pretokenizer/normalizer.h"

#include <utf8proc.h>

#include <cstdlib>

#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer {
namespace {

bool IsAscii(std::string_view text) {
  for (const char ch : text) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

// Appends utf8proc_map(run, options) to `out`; `run` is valid UTF-8.
void MapRun(std::string_view run, utf8proc_option_t options, std::string* out) {
  if (IsAscii(run)) {  // ASCII is invariant under NFC and NFD
    out->append(run);
    return;
  }
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(run.data()),
                                          static_cast<utf8proc_ssize_t>(run.size()), &mapped, options);
  if (n < 0) {
    out->append(run);  // unreachable for valid UTF-8 (only out-of-memory); keep the text
  } else {
    out->append(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
  }
  std::free(mapped);
}

// Applies utf8proc_map to each maximal valid-UTF-8 run; invalid bytes are
// copied between them unchanged.
std::string MapValidRuns(std::string_view text, utf8proc_option_t options) {
  std::string out;
  out.reserve(text.size());
  const char* p = text.data();
  const char* const e = p + text.size();
  const char* run = p;
  while (p < e) {
    int n = 1;
    if (DecodeUtf8(p, e, &n) == kInvalidCodePoint) {
      MapRun(std::string_view(run, static_cast<size_t>(p - run)), options, &out);
      out.push_back(*p);
      run = p + 1;
    }
    p += n;
  }
  MapRun(std::string_view(run, static_cast<size_t>(p - run)), options, &out);
  return out;
}

// BERT's "Chinese character" ranges (CJK Unified Ideographs and extensions,
// compatibility ideographs), from the original BasicTokenizer.
bool IsChineseChar(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Calls fn(cp, bytes) for each code point (kInvalidCodePoint for a bad byte).
template <typename Fn>
void ForEachCodePoint(std::string_view text, Fn fn) {
  const char* p = text.data();
  const char* const e = p + text.size();
  while (p < e) {
    int n = 1;
    const char32_t cp = DecodeUtf8(p, e, &n);
    fn(cp, std::string_view(p, static_cast<size_t>(n)));
    p += n;
  }
}

}  // namespace

std::string NfcNormalize(std::string_view text) {
  return MapValidRuns(text, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
}

std::string BertNormalize(std::string_view text, bool lowercase, bool strip_accents,
                          bool handle_chinese_chars, bool clean_text) {
  std::string s;
  s.reserve(text.size());
  ForEachCodePoint(text, [&](char32_t cp, std::string_view bytes) {
    if (clean_text) {
      // NUL and \p{C} are dropped (\t \n \r survive, as whitespace); the
      // White_Space controls \v \f U+0085 are \p{C} and are dropped too.
      // An invalid byte is dropped like the U+FFFD it stands for.
      if (cp == 0 || cp == 0xFFFD || cp == kInvalidCodePoint) return;
      const uint8_t cls = ClassOf(cp);
      const bool tab_or_newline = cp == '\t' || cp == '\n' || cp == '\r';
      // Hugging Face's BertNormalizer drops Cc, Cf, Cs and Co but keeps
      // unassigned code points (Cn), which then become [UNK].
      if ((cls & kClassOther) && !tab_or_newline &&
          utf8proc_category(static_cast<utf8proc_int32_t>(cp)) != UTF8PROC_CATEGORY_CN) {
        return;
      }
      if (cls & kClassSpace) {
        s.push_back(' ');
        return;
      }
    }
    if (handle_chinese_chars && IsChineseChar(cp)) {
      s.push_back(' ');
      s.append(bytes);
      s.push_back(' ');
      return;
    }
    s.append(bytes);
  });
  if (strip_accents) {
    const std::string nfd =
        MapValidRuns(s, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE));
    s.clear();
    ForEachCodePoint(nfd, [&](char32_t cp, std::string_view bytes) {
      if (cp != kInvalidCodePoint &&
          utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_MN) {
        return;
      }
      s.append(bytes);
    });
  }
  if (lowercase) {
    std::string lower;
    lower.reserve(s.size());
    ForEachCodePoint(s, [&](char32_t cp, std::string_view bytes) {
      if (cp < 0x80) {
        lower.push_back(cp >= 'A' && cp <= 'Z' ? static_cast<char>(cp + 32) : static_cast<char>(cp));
      } else if (cp == kInvalidCodePoint) {
        lower.append(bytes);
      } else if (cp == 0x130) {  // the one unconditional multi-code-point lowercase mapping
        lower.append("i\xCC\x87");
      } else {
        AppendUtf8(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))), &lower);
      }
    });
    s = std::move(lower);
  }
  return s;
}

}  // namespace sluice::tokenizer
