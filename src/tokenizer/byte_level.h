// GPT-2's byte-level alphabet: every byte 0..255 is shown as one printable
// code point, so a vocabulary of byte strings can be stored as text. Printable
// Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other 68
// bytes map, in byte order, to U+0100 and up ("Ġ" is the space byte 0x20).
// Reference: openai/gpt-2 encoder.py bytes_to_unicode(). Thread-safe, pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::tokenizer {

// The code point that shows byte `b`.
char32_t ByteToUnicode(unsigned char b);

// Appends the byte-level text of `bytes` (UTF-8 of the mapped code points).
void BytesToByteLevelText(std::string_view bytes, std::string* out);

// The bytes shown by byte-level `text`, or nullopt if some code point of it is
// not in the alphabet (e.g. an added token's plain-text content).
std::optional<std::string> ByteLevelTextToBytes(std::string_view text);

}  // namespace sluice::tokenizer
