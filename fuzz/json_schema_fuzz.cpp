// Fuzz target: the JSON Schema compiler and validator. The input is parsed as
// a JSON document (depth cap 256, as structured_output does for schemas) and
// compiled as a schema, as draft 2020-12 or draft 7 by the input's length
// parity (a `$schema` keyword in the input overrides it). A schema that
// compiles is validated against a fixed set of instances and against the
// document itself, and the two entry points must agree:
// IsValid(x) == Validate(x).empty().
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "schema/schema.h"

namespace {

const std::vector<boost::json::value>& Instances() {
  static const std::vector<boost::json::value> instances = [] {
    std::vector<boost::json::value> v;
    for (std::string_view text : {
             "null", "true", "0", "-1", "1.5", "1e308", "18446744073709551615", "\"\"",
             "\"abc\"", "\"2024-01-31T12:00:00Z\"", "\"a@b.co\"", "\"\\u00e9\\ud83d\\ude00\"",
             "[]", "[1,\"a\",null,[2]]", "[1,1]", "{}", "{\"a\":1,\"b\":[true,{\"c\":\"d\"}]}",
             "{\"foo\":{\"foo\":{\"foo\":null}},\"bar\":-0.0}"}) {
      v.push_back(boost::json::parse(text));
    }
    return v;
  }();
  return instances;
}

void Check(const sluice::schema::Schema& schema, const boost::json::value& instance) {
  const bool valid = sluice::schema::IsValid(schema, instance);
  const std::vector<sluice::schema::ValidationError> errors =
      sluice::schema::Validate(schema, instance);
  if (valid != errors.empty()) {
    std::fprintf(stderr, "json_schema_fuzz: IsValid says %d but Validate found %zu errors\n",
                 valid ? 1 : 0, errors.size());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::json::parse_options parse_options;
  parse_options.max_depth = 256;
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(
      std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, parse_options);
  if (ec) return 0;

  sluice::schema::CompileOptions options;
  options.draft = size % 2 == 0 ? sluice::schema::Draft::kDraft2020_12
                                : sluice::schema::Draft::kDraft7;
  auto schema = sluice::schema::Compile(document, options);
  if (!schema.ok()) return 0;
  for (const boost::json::value& instance : Instances()) Check(**schema, instance);
  Check(**schema, document);
  return 0;
}
