#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/pretokenizer/unicode.h"

namespace sluice::tokenizer {
namespace {

struct Tables {
  std::array<char32_t, 256> to_unicode{};
  std::array<int, 324> to_byte{};  // code points < 324 cover the whole alphabet
};

const Tables& GetTables() {
  static const Tables tables = [] {
    Tables t;
    t.to_byte.fill(-1);
    int next = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      const char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
      t.to_unicode[b] = cp;
      t.to_byte[cp] = b;
    }
    return t;
  }();
  return tables;
}

}  // namespace

char32_t ByteToUnicode(unsigned char b) { return GetTables().to_unicode[b]; }

void BytesToByteLevelText(std::string_view bytes, std::string* out) {
  const Tables& t = GetTables();
  for (char c : bytes) AppendUtf8(t.to_unicode[static_cast<unsigned char>(c)], out);
}

std::optional<std::string> ByteLevelTextToBytes(std::string_view text) {
  const Tables& t = GetTables();
  std::string bytes;
  bytes.reserve(text.size());
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    int n = 0;
    const char32_t cp = DecodeUtf8(p, end, &n);
    if (cp >= t.to_byte.size() || t.to_byte[cp] < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(t.to_byte[cp]));
    p += n;
  }
  return bytes;
}

}  // namespace sluice::tokenizer
