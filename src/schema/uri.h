// URI references (RFC 3986) as far as `$id` / `$ref` need them: split into
// components, resolve a reference against a base (§5.2), split off fragments.
// Parsing is lenient (it never fails): the schema author's text is taken as
// written, and unknown characters travel through unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice::schema {

struct UriParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

// RFC 3986 Appendix B decomposition.
UriParts ParseUriReference(std::string_view text);
std::string RecomposeUri(const UriParts& parts);

// Resolves `reference` against the absolute URI `base` (RFC 3986 §5.2.2,
// including dot-segment removal). An empty base leaves `reference` as is.
std::string ResolveUri(std::string_view base, std::string_view reference);

// "a/b#frag" → {"a/b", "frag"}; fragment is nullopt without a '#'.
std::pair<std::string, std::optional<std::string>> SplitFragment(std::string_view uri);

}  // namespace sluice::schema
