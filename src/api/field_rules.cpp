#include "api/field_rules.h"

#include <fmt/format.h>

#include "api/json_body.h"

namespace sluice::api {

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::vector<std::string> FieldRules::LocOf(std::string_view key) const {
  std::vector<std::string> loc = loc_;
  loc.emplace_back(key);
  return loc;
}

void FieldRules::Add(std::string_view key, std::string msg, std::string type) {
  errors_.push_back({LocOf(key), std::move(msg), std::move(type)});
}

std::optional<std::string> FieldRules::RequiredString(std::string_view key, size_t min_chars) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr) {
    Add(key, "Field required", "missing");
    return std::nullopt;
  }
  if (!v->is_string()) {
    Add(key, "Input should be a valid string", "string_type");
    return std::nullopt;
  }
  std::string s(v->get_string());
  if (CountCodePoints(s) < min_chars) {
    Add(key,
        fmt::format("String should have at least {} character{}", min_chars,
                    min_chars == 1 ? "" : "s"),
        "string_too_short");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> FieldRules::OptionalString(std::string_view key) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    Add(key, "Input should be a valid string", "string_type");
    return std::nullopt;
  }
  return std::string(v->get_string());
}

namespace {

// Pydantic's wording for a value outside [lo, hi]; nullopt when inside.
template <typename T>
std::optional<std::pair<std::string, std::string>> RangeViolation(T v, T lo, T hi) {
  if (v < lo) {
    return std::pair{fmt::format("Input should be greater than or equal to {}", lo),
                     std::string("greater_than_equal")};
  }
  if (v > hi) {
    return std::pair{fmt::format("Input should be less than or equal to {}", hi),
                     std::string("less_than_equal")};
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> FieldRules::OptionalNumber(std::string_view key, double lo, double hi) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  auto n = AsNumber(*v);
  if (!n) {
    Add(key, "Input should be a valid number", "float_type");
    return std::nullopt;
  }
  if (auto bad = RangeViolation(*n, lo, hi)) {
    Add(key, std::move(bad->first), std::move(bad->second));
    return std::nullopt;
  }
  return n;
}

std::optional<int64_t> FieldRules::OptionalInteger(std::string_view key, int64_t lo, int64_t hi) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  auto n = AsInteger(*v);
  if (!n) {
    Add(key, "Input should be a valid integer", "int_type");
    return std::nullopt;
  }
  if (auto bad = RangeViolation(*n, lo, hi)) {
    Add(key, std::move(bad->first), std::move(bad->second));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> FieldRules::OptionalBool(std::string_view key) {
  const auto* v = obj_.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    Add(key, "Input should be a valid boolean", "bool_type");
    return std::nullopt;
  }
  return v->get_bool();
}

}  // namespace sluice::api
