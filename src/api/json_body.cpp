#include "api/json_body.h"

#include <cmath>

#include <boost/json/parser.hpp>
#include <fmt/format.h>

namespace sluice::api {

namespace json = boost::json;

StatusOr<json::value> ParseJsonBody(std::string_view body, size_t max_depth) {
  json::parse_options opts;
  opts.max_depth = max_depth;
  json::parser p(json::storage_ptr(), opts);
  boost::system::error_code ec;
  size_t consumed = p.write(body.data(), body.size(), ec);
  if (ec) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("request body is not valid JSON: {} (at byte {})", ec.message(),
                              consumed));
  }
  if (consumed != body.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("request body is not valid JSON: trailing data at byte {}", consumed));
  }
  return p.release();
}

const char* JsonTypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

std::optional<double> AsNumber(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

std::optional<int64_t> AsInteger(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

}  // namespace sluice::api
