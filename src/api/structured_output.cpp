#include "api/structured_output.h"

#include <boost/json/parser.hpp>
#include <fmt/format.h>

namespace sluice::api {

namespace json = boost::json;

namespace {

std::string_view Trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "```json\n{...}\n```" → "{...}"; anything else unchanged.
std::string_view StripCodeFence(std::string_view s) {
  if (s.size() < 6 || s.substr(0, 3) != "```" || s.substr(s.size() - 3) != "```") return s;
  std::string_view inner = s.substr(3, s.size() - 6);
  size_t nl = inner.find('\n');
  if (nl == std::string_view::npos) return s;
  std::string_view lang = inner.substr(0, nl);
  if (lang.find_first_of("{[\"") != std::string_view::npos) return s;
  return Trim(inner.substr(nl + 1));
}

}  // namespace

StructuredResult ParseAndValidate(std::string_view text, const schema::Schema* schema) {
  StructuredResult r;
  std::string_view doc = StripCodeFence(Trim(text));
  json::parse_options opts;
  opts.max_depth = 256;
  json::parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  size_t consumed = p.write(doc.data(), doc.size(), ec);
  if (ec || consumed != doc.size()) {
    std::string why = ec ? ec.message() : "trailing data";
    r.errors.push_back(
        {"", "", fmt::format("output is not a valid JSON document: {} (at byte {})", why, consumed)});
    return r;
  }
  r.value = p.release();
  if (schema != nullptr) {
    r.errors = schema::Validate(*schema, r.value);
  }
  r.ok = r.errors.empty();
  return r;
}

}  // namespace sluice::api
