// JSON value semantics JSON Schema needs beyond Boost.JSON's: numbers compare
// by mathematical value (1 == 1.0), objects ignore key order, and
// `multipleOf` is decided exactly on the decimal values as written.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>

namespace sluice::schema::internal {

bool IsNumber(const boost::json::value& v);

// Integers in the JSON Schema sense: any number with a zero fractional part.
bool IsIntegral(const boost::json::value& v);

// Three-way comparison of two numbers by value: <0, 0, >0. Requires IsNumber.
int CompareNumbers(const boost::json::value& a, const boost::json::value& b);

// True when x / m is an integer, computed on the shortest decimal forms of
// both (so 0.0075 is a multiple of 0.0001). Requires numbers, m > 0.
bool IsMultipleOf(const boost::json::value& x, const boost::json::value& m);

// JSON equality: numbers by value, objects by key set, arrays in order.
bool JsonEqual(const boost::json::value& a, const boost::json::value& b);

// A hash consistent with JsonEqual.
size_t JsonHash(const boost::json::value& v);

// "null", "boolean", "integer" (int64/uint64 or integral double), "number",
// "string", "array", "object": how error messages name an instance's type.
const char* JsonTypeName(const boost::json::value& v);

}  // namespace sluice::schema::internal
