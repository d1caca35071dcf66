// Normalizers: text → text transforms applied before pre-tokenization.
//
// Both functions accept any bytes: invalid UTF-8 bytes (see unicode.h) are
// passed through unchanged, except that BertNormalize's clean_text drops them
// like the U+FFFD they stand for. Thread-safe, pure.
#pragma once

#include <string>
#include <string_view>

namespace sluice::tokenizer {

// Unicode NFC (canonical composition), via utf8proc (Unicode 15.0). Used by
// Qwen2's tokenizer.json normalizer. Valid UTF-8 in, valid UTF-8 out; runs of
// invalid bytes are copied verbatim between the normalized valid runs.
std::string NfcNormalize(std::string_view text);

// Hugging Face BertNormalizer (the BERT BasicTokenizer's text cleanup), in its
// order:
//  1. clean_text: drop NUL, U+FFFD and Cc Cf Cs Co (not unassigned Cn) except \t \n \r;
//     map every White_Space code point (and \t \n \r) to ' '.
//  2. handle_chinese_chars: surround each CJK ideograph (BERT's ranges) with
//     spaces.
//  3. strip_accents: NFD, then drop nonspacing marks (Mn).
//  4. lowercase: full Unicode lowercase per code point (U+0130 → "i\u0307";
//     no final-sigma context, as Rust's char::to_lowercase).
// Callers resolve tokenizer.json's `strip_accents: null` to `lowercase`.
std::string BertNormalize(std::string_view text, bool lowercase, bool strip_accents,
                          bool handle_chinese_chars, bool clean_text);

}  // namespace sluice::tokenizer
