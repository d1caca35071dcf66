#include "schema/internal/json_value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string_view>

namespace sluice::schema::internal {
namespace json = boost::json;
namespace {

// long double holds every int64, uint64 and double exactly on x86-64 and
// AArch64 Linux (64-bit and 113-bit mantissas), so comparisons are exact.
long double AsLongDouble(const json::value& v) {
  switch (v.kind()) {
    case json::kind::int64:
      return static_cast<long double>(v.get_int64());
    case json::kind::uint64:
      return static_cast<long double>(v.get_uint64());
    case json::kind::double_:
      return static_cast<long double>(v.get_double());
    default:
      return 0;
  }
}

// |v| as mantissa * 10^exponent, from the shortest round-trip decimal text.
struct Decimal {
  unsigned __int128 mantissa = 0;
  int exponent = 0;
};

Decimal ToDecimal(const json::value& v) {
  Decimal d;
  if (v.is_int64()) {
    const int64_t i = v.get_int64();
    d.mantissa =
        i < 0 ? static_cast<unsigned __int128>(-(i + 1)) + 1 : static_cast<unsigned __int128>(i);
    return d;
  }
  if (v.is_uint64()) {
    d.mantissa = v.get_uint64();
    return d;
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(v.get_double()),
                                 std::chars_format::scientific);
  const std::string_view text(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = text.find('e');
  int fraction_digits = 0;
  bool after_dot = false;
  for (char c : text.substr(0, e)) {
    if (c == '.') {
      after_dot = true;
    } else {
      d.mantissa = d.mantissa * 10 + static_cast<unsigned>(c - '0');
      if (after_dot) ++fraction_digits;
    }
  }
  int exp10 = 0;
  std::string_view exp_text = text.substr(e + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp10);
  d.exponent = exp10 - fraction_digits;
  return d;
}

unsigned __int128 PowMod10(int exponent, unsigned __int128 mod) {
  unsigned __int128 result = 1 % mod, base = 10 % mod;
  for (int e = exponent; e > 0; e >>= 1) {
    if (e & 1) result = result * base % mod;
    base = base * base % mod;
  }
  return result;
}

size_t Mix(size_t seed, size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool IsIntegral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  if (!v.is_double()) return false;
  const double d = v.get_double();
  return std::isfinite(d) && std::trunc(d) == d;
}

int CompareNumbers(const json::value& a, const json::value& b) {
  if (a.is_int64() && b.is_int64()) {
    return a.get_int64() < b.get_int64() ? -1 : a.get_int64() > b.get_int64() ? 1 : 0;
  }
  const long double x = AsLongDouble(a), y = AsLongDouble(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

bool IsMultipleOf(const json::value& x, const json::value& m) {
  const Decimal dx = ToDecimal(x), dm = ToDecimal(m);
  if (dx.mantissa == 0) return true;
  if (dm.mantissa == 0) return false;
  const int shift = dx.exponent - dm.exponent;
  if (shift >= 0) {
    // x / m = (mx * 10^shift) / mm; mantissas are < 2^64, so products fit.
    return (dx.mantissa % dm.mantissa) * PowMod10(shift, dm.mantissa) % dm.mantissa == 0;
  }
  // x / m = mx / (mm * 10^-shift): a divisor above mx cannot divide it.
  unsigned __int128 divisor = dm.mantissa;
  for (int i = 0; i < -shift; ++i) {
    if (divisor > dx.mantissa) return false;
    divisor *= 10;
  }
  return dx.mantissa % divisor == 0;
}

bool JsonEqual(const json::value& a, const json::value& b) {
  if (IsNumber(a) && IsNumber(b)) return CompareNumbers(a, b) == 0;
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::null:
      return true;
    case json::kind::bool_:
      return a.get_bool() == b.get_bool();
    case json::kind::string:
      return a.get_string() == b.get_string();
    case json::kind::array: {
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!JsonEqual(x[i], y[i])) return false;
      }
      return true;
    }
    case json::kind::object: {
      const json::object& x = a.get_object();
      const json::object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& [key, value] : x) {
        const json::value* other = y.if_contains(key);
        if (other == nullptr || !JsonEqual(value, *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

size_t JsonHash(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return 0x51;
    case json::kind::bool_:
      return v.get_bool() ? 0x52 : 0x53;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return std::hash<long double>()(AsLongDouble(v));
    case json::kind::string:
      return std::hash<std::string_view>()(v.get_string());
    case json::kind::array: {
      size_t h = 0x54;
      for (const auto& item : v.get_array()) h = Mix(h, JsonHash(item));
      return h;
    }
    case json::kind::object: {
      size_t h = 0x55;  // order-independent: sum of per-member hashes
      for (const auto& [key, value] : v.get_object()) {
        h += Mix(std::hash<std::string_view>()(key), JsonHash(value));
      }
      return h;
    }
  }
  return 0;
}

const char* JsonTypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "integer";
    case json::kind::double_:
      return IsIntegral(v) ? "integer" : "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

}  // namespace sluice::schema::internal
