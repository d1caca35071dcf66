// Quoting untrusted bytes (keys, names, string values) for error messages and
// `gguf info`: printable, one line, bounded length. Thread-safe, pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice::gguf {

// `s` with `"` and `\` backslash-escaped, \n \r \t as such, other control
// bytes and bytes that are not part of valid UTF-8 as \xNN; valid UTF-8 is
// kept. When `s` is longer than `max_bytes` input bytes, it is cut at a
// character boundary at or before that and "…" is appended. No quotes added.
std::string EscapeBytes(std::string_view s, size_t max_bytes = std::string_view::npos);

}  // namespace sluice::gguf
