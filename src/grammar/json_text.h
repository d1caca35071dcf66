// JSON text the way Python's json.dumps(value, ensure_ascii=False) writes it
// (", " and ": " separators, repr() for floats, \uXXXX for control
// characters other than \b \f \n \r \t). The grammar emits enum/const values
// in this form and `sluice grammar check` serializes test instances with it.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace sluice::grammar {

// Appends `value` as json.dumps would.
void AppendPythonJson(const boost::json::value& value, std::string* out);
std::string PythonJson(const boost::json::value& value);
// Appends `text` (UTF-8) as a JSON string literal, quotes included.
void AppendJsonString(std::string_view text, std::string* out);
// Appends a double as Python's repr() writes it ("1.0", "1e+16", "1.5e-07").
// Non-finite values (not JSON) come out as "NaN" / "Infinity" / "-Infinity".
void AppendPythonFloat(double value, std::string* out);

}  // namespace sluice::grammar
