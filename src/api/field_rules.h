// Field-by-field checks for request objects, collecting every violation
// (FastAPI style: all offending fields are reported at once, not the first).
//
// Each checker reads one optional member of `obj`, appends an ErrorDetail to
// `errors` when it is present but wrong, and returns the value when valid.
// `loc` is the path of the containing object, e.g. {"body"}.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "base/status.h"

namespace sluice::api {

class FieldRules {
 public:
  FieldRules(const boost::json::object& obj, std::vector<std::string> loc)
      : obj_(obj), loc_(std::move(loc)) {}

  // A required string of at least `min_chars` code points.
  std::optional<std::string> RequiredString(std::string_view key, size_t min_chars = 0);
  std::optional<std::string> OptionalString(std::string_view key);
  // A number (not a boolean) in [lo, hi].
  std::optional<double> OptionalNumber(std::string_view key, double lo, double hi);
  // An integer in [lo, hi].
  std::optional<int64_t> OptionalInteger(std::string_view key, int64_t lo, int64_t hi);
  std::optional<bool> OptionalBool(std::string_view key);

  void Add(std::string_view key, std::string msg, std::string type);
  std::vector<ErrorDetail>& errors() { return errors_; }

 private:
  std::vector<std::string> LocOf(std::string_view key) const;

  const boost::json::object& obj_;
  std::vector<std::string> loc_;
  std::vector<ErrorDetail> errors_;
};

// Number of Unicode code points in valid UTF-8 `s` (continuation bytes skipped).
size_t CountCodePoints(std::string_view s);

}  // namespace sluice::api
