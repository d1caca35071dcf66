#include "grammar/json_text.h"

#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace sluice::grammar {

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendPythonFloat(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(value)) {
    out->append(value > 0 ? "Infinity" : "-Infinity");
    return;
  }
  // Shortest round-trip digits in scientific form: "-d.ddde±XX".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  bool negative = !sci.empty() && sci[0] == '-';
  if (negative) sci.remove_prefix(1);
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (negative) out->push_back('-');
  if (exponent < -4 || exponent >= 16) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->push_back('e');
    out->push_back(exponent < 0 ? '-' : '+');
    int mag = std::abs(exponent);
    if (mag < 10) out->push_back('0');
    out->append(std::to_string(mag));
    return;
  }
  if (exponent < 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-exponent - 1), '0');
    out->append(digits);
    return;
  }
  auto int_len = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= int_len) {
    out->append(digits);
    out->append(int_len - digits.size(), '0');
    out->append(".0");
  } else {
    out->append(digits, 0, int_len);
    out->push_back('.');
    out->append(digits, int_len);
  }
}

void AppendPythonJson(const boost::json::value& value, std::string* out) {
  switch (value.kind()) {
    case boost::json::kind::null: out->append("null"); break;
    case boost::json::kind::bool_: out->append(value.get_bool() ? "true" : "false"); break;
    case boost::json::kind::int64: out->append(std::to_string(value.get_int64())); break;
    case boost::json::kind::uint64: out->append(std::to_string(value.get_uint64())); break;
    case boost::json::kind::double_: AppendPythonFloat(value.get_double(), out); break;
    case boost::json::kind::string: AppendJsonString(value.get_string(), out); break;
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& v : value.get_array()) {
        if (!first) out->append(", ");
        first = false;
        AppendPythonJson(v, out);
      }
      out->push_back(']');
      break;
    }
    case boost::json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : value.get_object()) {
        if (!first) out->append(", ");
        first = false;
        AppendJsonString(kv.key(), out);
        out->append(": ");
        AppendPythonJson(kv.value(), out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string PythonJson(const boost::json::value& value) {
  std::string out;
  AppendPythonJson(value, &out);
  return out;
}

}  // namespace sluice::grammar
