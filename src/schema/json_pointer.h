// JSON Pointer (RFC 6901) as used in `$ref` fragments and error paths.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::schema {

// "/a~1b/0" → {"a/b", "0"}; nullopt for text that is not a pointer ("a", "/~2").
std::optional<std::vector<std::string>> ParseJsonPointer(std::string_view pointer);

// Escapes one reference token ('~' → "~0", '/' → "~1").
std::string EscapeJsonPointerToken(std::string_view token);

// Decodes %XX sequences (URI fragments are percent-encoded); invalid
// sequences are kept verbatim.
std::string PercentDecode(std::string_view text);

// Follows `tokens` from `root`; nullptr when a step does not exist. Array
// steps must be canonical decimal indices. The result borrows from `root`.
const boost::json::value* ResolveJsonPointer(const boost::json::value& root,
                                             const std::vector<std::string>& tokens);

}  // namespace sluice::schema
