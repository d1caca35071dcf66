// JSON Schema document → typed IR (internal/ir.h).
#pragma once

#include <boost/json/fwd.hpp>
#include <set>
#include <string>

#include "base/status.h"
#include "grammar/internal/ir.h"

namespace sluice::grammar::internal {

struct LowerOptions {
  bool draft7 = false;
  bool additional_properties_by_default = false;
  size_t max_nodes = 200000;
  // CompileOptions::superset: widen instead of narrowing or refusing where
  // the IR cannot be exact (formats, integer forms, unsupported regexes,
  // unresolvable $refs, additional keys next to patternProperties).
  bool superset = false;
};

// Lowers `document`. Keywords the IR does not enforce are added to
// `post_validated` as JSON Pointers into the schema. Errors are
// kUnprocessable and name the keyword's location.
StatusOr<Ir> Lower(const boost::json::value& document, const LowerOptions& options,
                   std::set<std::string>* post_validated);

}  // namespace sluice::grammar::internal
