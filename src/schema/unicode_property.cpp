// `\p{...}` support: the Letter and Number general categories, from tables
// generated at development time (tools/gen_unicode_tables.py), so matching
// needs no Unicode library at run time.
#include <utility>

#include "schema/regex.h"

namespace sluice::schema::regex {
namespace {

#include "schema/unicode_tables.inc"

template <size_t N>
void AddTable(const char32_t (&table)[N], std::vector<CharRange>* out) {
  for (size_t i = 0; i + 1 < N; i += 2) out->push_back({table[i], table[i + 1]});
}

}  // namespace

CharSet CharSet::FromRanges(std::vector<CharRange> ranges) {
  CharSet s;
  s.ranges_ = std::move(ranges);
  s.Normalize();
  return s;
}

std::optional<CharSet> CharSet::UnicodeProperty(std::string_view name) {
  for (std::string_view prefix : {"General_Category=", "gc="}) {
    if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  }
  std::vector<CharRange> r;
  if (name == "L" || name == "Letter") {
    AddTable(kLu, &r), AddTable(kLl, &r), AddTable(kLt, &r), AddTable(kLm, &r), AddTable(kLo, &r);
  } else if (name == "Lu" || name == "Uppercase_Letter") {
    AddTable(kLu, &r);
  } else if (name == "Ll" || name == "Lowercase_Letter") {
    AddTable(kLl, &r);
  } else if (name == "Lt" || name == "Titlecase_Letter") {
    AddTable(kLt, &r);
  } else if (name == "Lm" || name == "Modifier_Letter") {
    AddTable(kLm, &r);
  } else if (name == "Lo" || name == "Other_Letter") {
    AddTable(kLo, &r);
  } else if (name == "N" || name == "Number") {
    AddTable(kNd, &r), AddTable(kNl, &r), AddTable(kNo, &r);
  } else if (name == "Nd" || name == "Decimal_Number" || name == "digit") {
    AddTable(kNd, &r);
  } else if (name == "Nl" || name == "Letter_Number") {
    AddTable(kNl, &r);
  } else if (name == "No" || name == "Other_Number") {
    AddTable(kNo, &r);
  } else {
    return std::nullopt;
  }
  return FromRanges(std::move(r));
}

}  // namespace sluice::schema::regex
