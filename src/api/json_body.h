// Parsing request bodies into JSON with limits, and small typed accessors.
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

#include "base/status.h"

namespace sluice::api {

// Parses `body` as one JSON document. Malformed input, trailing garbage or
// nesting deeper than `max_depth` → kInvalidArgument naming the byte offset.
StatusOr<boost::json::value> ParseJsonBody(std::string_view body, size_t max_depth = 64);

// JSON type name as JSON Schema / error messages spell it ("string", "integer").
const char* JsonTypeName(const boost::json::value& v);

// Numeric value of an int64/uint64/double JSON value; nullopt otherwise.
std::optional<double> AsNumber(const boost::json::value& v);

// Exact integer value (also 3.0); nullopt for non-integers and non-numbers.
std::optional<int64_t> AsInteger(const boost::json::value& v);

}  // namespace sluice::api
