// Turning a model's text answer into a validated JSON value.
#pragma once

#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "schema/schema.h"

namespace sluice::api {

struct StructuredResult {
  bool ok = false;
  boost::json::value value;                      // the parsed document when ok
  std::vector<schema::ValidationError> errors;  // why not, when !ok
};

// Parses `text` as one JSON document (surrounding whitespace and a single
// markdown code fence are tolerated, nothing else) and validates it against
// `schema` when given. A parse failure is reported as one error at path "".
StructuredResult ParseAndValidate(std::string_view text, const schema::Schema* schema);

}  // namespace sluice::api
