#include "schema/formats.h"

#include <cstdint>

namespace sluice::schema {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly `n` digits at s[*pos] into *out.
bool ReadDigits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsDate(std::string_view s) {
  size_t pos = 0;
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(s, &pos, 4, &y) || pos >= s.size() || s[pos++] != '-') return false;
  if (!ReadDigits(s, &pos, 2, &m) || pos >= s.size() || s[pos++] != '-') return false;
  if (!ReadDigits(s, &pos, 2, &d) || pos != s.size()) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const int max_day = (m == 2 && IsLeapYear(y)) ? 29 : kDays[m - 1];
  return d <= max_day;
}

bool IsTime(std::string_view s) {
  size_t pos = 0;
  int h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, &pos, 2, &h) || pos >= s.size() || s[pos++] != ':') return false;
  if (!ReadDigits(s, &pos, 2, &mi) || pos >= s.size() || s[pos++] != ':') return false;
  if (!ReadDigits(s, &pos, 2, &sec)) return false;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t start = pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  if (pos >= s.size()) return false;  // RFC 3339 requires an offset
  int offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos++] == '+' ? 1 : -1;
    int oh = 0, om = 0;
    if (!ReadDigits(s, &pos, 2, &oh) || pos >= s.size() || s[pos++] != ':') return false;
    if (!ReadDigits(s, &pos, 2, &om)) return false;
    if (oh > 23 || om > 59) return false;
    offset = sign * (oh * 60 + om);
  } else {
    return false;
  }
  if (pos != s.size() || h > 23 || mi > 59 || sec > 60) return false;
  if (sec == 60) {
    // A leap second exists only at 23:59:60 UTC.
    const int utc = ((h * 60 + mi - offset) % 1440 + 1440) % 1440;
    return utc == 23 * 60 + 59;
  }
  return true;
}

bool IsDateTime(std::string_view s) {
  const size_t t = s.find_first_of("Tt");
  return t != std::string_view::npos && IsDate(s.substr(0, t)) && IsTime(s.substr(t + 1));
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    const size_t start = pos;
    int v = 0;
    while (pos < s.size() && IsDigit(s[pos]) && pos - start < 3) v = v * 10 + (s[pos++] - '0');
    const size_t n = pos - start;
    if (n == 0 || v > 255 || (n > 1 && s[start] == '0')) return false;
    ++parts;
    if (pos == s.size()) break;
    if (s[pos] != '.' || parts == 4) return false;
    ++pos;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view s) {
  int groups = 0;
  bool compressed = false;
  size_t pos = 0;
  if (s.starts_with("::")) {
    compressed = true;
    pos = 2;
    if (pos == s.size()) return true;
  } else if (s.starts_with(":")) {
    return false;
  }
  while (pos < s.size()) {
    size_t end = pos;
    while (end < s.size() && IsHex(s[end])) ++end;
    if (end < s.size() && s[end] == '.') {  // trailing dotted IPv4 takes two groups
      if (!IsIpv4(s.substr(pos))) return false;
      groups += 2;
      pos = s.size();
      break;
    }
    if (end == pos || end - pos > 4) return false;
    ++groups;
    pos = end;
    if (pos == s.size()) break;
    if (s[pos] != ':') return false;
    ++pos;
    if (pos < s.size() && s[pos] == ':') {
      if (compressed) return false;
      compressed = true;
      ++pos;
      if (pos == s.size()) break;
    } else if (pos == s.size()) {
      return false;  // trailing single ':'
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
    }
    // RFC 5891 §4.2.3.1: "--" in positions 3-4 only for A-labels ("xn--").
    if (label.size() >= 4 && label[2] == '-' && label[3] == '-' &&
        !(label.substr(0, 2) == "xn" || label.substr(0, 2) == "XN")) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsAtext(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsEmail(std::string_view s) {
  const size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view local = s.substr(0, at);
  const std::string_view domain = s.substr(at + 1);
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    for (size_t i = 1; i + 1 < local.size(); ++i) {
      const char c = local[i];
      if (c == '\\') {
        if (++i + 1 >= local.size()) return false;
      } else if (c == '"' || static_cast<unsigned char>(c) < 0x20) {
        return false;
      }
    }
  } else {
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
      return false;
    }
    for (char c : local) {
      if (c != '.' && !IsAtext(c)) return false;
    }
  }
  if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') {
    const std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:")) return IsIpv6(literal.substr(5));
    return IsIpv4(literal);
  }
  return IsHostname(domain);
}

bool IsUriChar(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("-._~!$&'()*+,;=:@/?#[]%").find(c) != std::string_view::npos;
}

bool IsUri(std::string_view s) {
  // scheme ":" hier-part [ "?" query ] [ "#" fragment ]
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsAlpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  const std::string_view rest = s.substr(colon + 1);
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '%') {
      if (i + 2 >= rest.size() || !IsHex(rest[i + 1]) || !IsHex(rest[i + 2])) return false;
    } else if (!IsUriChar(c)) {
      return false;
    }
  }
  // Brackets only around an IP literal host; '#' at most once.
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos && rest.find('#', hash + 1) != std::string_view::npos) {
    return false;
  }
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    const size_t userinfo = authority.rfind('@');
    std::string_view hostport =
        userinfo == std::string_view::npos ? authority : authority.substr(userinfo + 1);
    if (hostport.starts_with("[")) {
      const size_t close = hostport.find(']');
      if (close == std::string_view::npos) return false;
      hostport = hostport.substr(close + 1);
      if (!hostport.empty() && hostport[0] != ':') return false;
    }
    const size_t port = hostport.rfind(':');
    if (hostport.find_first_of("[]") != std::string_view::npos) return false;
    if (port != std::string_view::npos) {
      for (char c : hostport.substr(port + 1)) {
        if (!IsDigit(c)) return false;
      }
    }
  } else if (rest.find_first_of("[]") != std::string_view::npos) {
    return false;
  }
  return true;
}

}  // namespace

std::optional<Format> FormatFromName(std::string_view name) {
  if (name == "date") return Format::kDate;
  if (name == "time") return Format::kTime;
  if (name == "date-time") return Format::kDateTime;
  if (name == "email") return Format::kEmail;
  if (name == "uuid") return Format::kUuid;
  if (name == "uri") return Format::kUri;
  if (name == "ipv4") return Format::kIpv4;
  if (name == "ipv6") return Format::kIpv6;
  if (name == "hostname") return Format::kHostname;
  return std::nullopt;
}

const char* FormatName(Format format) {
  switch (format) {
    case Format::kDate:
      return "date";
    case Format::kTime:
      return "time";
    case Format::kDateTime:
      return "date-time";
    case Format::kEmail:
      return "email";
    case Format::kUuid:
      return "uuid";
    case Format::kUri:
      return "uri";
    case Format::kIpv4:
      return "ipv4";
    case Format::kIpv6:
      return "ipv6";
    case Format::kHostname:
      return "hostname";
  }
  return "?";
}

bool IsValidFormat(Format format, std::string_view value) {
  switch (format) {
    case Format::kDate:
      return IsDate(value);
    case Format::kTime:
      return IsTime(value);
    case Format::kDateTime:
      return IsDateTime(value);
    case Format::kEmail:
      return IsEmail(value);
    case Format::kUuid:
      return IsUuid(value);
    case Format::kUri:
      return IsUri(value);
    case Format::kIpv4:
      return IsIpv4(value);
    case Format::kIpv6:
      return IsIpv6(value);
    case Format::kHostname:
      return IsHostname(value);
  }
  return true;
}

}  // namespace sluice::schema
