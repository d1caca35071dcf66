// Lossy UTF-8 conversion with Rust's String::from_utf8_lossy rules (the ones
// Hugging Face decoders use): each maximal ill-formed subpart (Unicode 15,
// §3.9, "U+FFFD substitution of maximal subparts") becomes one U+FFFD.
// Thread-safe, pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::tokenizer {

// Appends the valid-UTF-8 form of `bytes` to `out` and returns how many bytes
// of `bytes` were consumed. When `at_end` is false, a trailing sequence that
// is a valid but incomplete prefix is left unconsumed (a later chunk may
// complete it); when true, it becomes U+FFFD.
size_t AppendUtf8Lossy(std::string_view bytes, bool at_end, std::string* out);

// AppendUtf8Lossy over the whole input with at_end = true.
std::string Utf8Lossy(std::string_view bytes);

}  // namespace sluice::tokenizer
