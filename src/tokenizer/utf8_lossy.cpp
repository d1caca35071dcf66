#include "tokenizer/utf8_lossy.h"

namespace sluice::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Expected length of a sequence led by `b0` (0 if b0 cannot lead), and the
// allowed range of its second byte (Unicode Table 3-7).
int Expected(unsigned char b0, unsigned char* lo, unsigned char* hi) {
  *lo = 0x80;
  *hi = 0xBF;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return 2;
  if (b0 == 0xE0) *lo = 0xA0;
  if (b0 == 0xED) *hi = 0x9F;
  if (b0 >= 0xE0 && b0 <= 0xEF) return 3;
  if (b0 == 0xF0) *lo = 0x90;
  if (b0 == 0xF4) *hi = 0x8F;
  if (b0 >= 0xF0 && b0 <= 0xF4) return 4;
  return 0;
}

}  // namespace

size_t AppendUtf8Lossy(std::string_view bytes, bool at_end, std::string* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    unsigned char lo, hi;
    const int len = Expected(s[i], &lo, &hi);
    if (len == 1) {
      out->push_back(static_cast<char>(s[i++]));
      continue;
    }
    if (len == 0) {
      out->append(kReplacement);
      ++i;
      continue;
    }
    // Count the valid prefix of the sequence.
    size_t k = 1;
    while (k < static_cast<size_t>(len) && i + k < n) {
      const unsigned char c = s[i + k];
      const bool ok = k == 1 ? (c >= lo && c <= hi) : (c >= 0x80 && c <= 0xBF);
      if (!ok) break;
      ++k;
    }
    if (k == static_cast<size_t>(len)) {
      out->append(bytes.substr(i, k));
      i += k;
    } else if (i + k == n && !at_end) {
      return i;  // incomplete at the end: hold back
    } else {
      out->append(kReplacement);
      i += k;
    }
  }
  return n;
}

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  AppendUtf8Lossy(bytes, /*at_end=*/true, &out);
  return out;
}

}  // namespace sluice::tokenizer
