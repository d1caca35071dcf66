// allOf merging at the JSON level: two schema objects → one object whose
// instances satisfy both, where the keywords allow it.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::grammar::internal {

// Keywords that assert nothing ($defs, title, unknown keywords, …).
bool IsAnnotation(std::string_view key);
// Whether `obj` has any asserting keyword.
bool HasAssertions(const boost::json::object& obj);

// Merges `src` into `dst` so that dst accepts only what both accepted.
// Keywords it cannot combine keep dst's value; their names are appended to
// `unmerged` (the caller reports them as post-validated).
void MergeSchemaObjects(boost::json::object& dst, const boost::json::object& src,
                        std::vector<std::string>* unmerged);

}  // namespace sluice::grammar::internal
