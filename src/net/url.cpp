#include "net/url.h"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

namespace sluice::net {

std::string Url::Authority() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}{}{}:{}", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
}

StatusOr<Url> ParseBaseUrl(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' is not an absolute URL: {}", text, parsed.error().message()));
  }
  const auto& u = *parsed;
  Url out;
  std::string scheme = u.scheme();
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("'{}': scheme must be http or https", text));
  }
  if (!u.has_authority() || u.encoded_host().empty()) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("'{}': missing host", text));
  }
  if (u.has_query() || u.has_fragment() || u.has_userinfo()) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("'{}': a base URL takes no user info, query or fragment", text));
  }
  out.host = u.host_address();
  if (!out.host.empty() && out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  out.port = u.has_port() ? std::string(u.port()) : (out.tls ? "443" : "80");
  out.path = u.encoded_path();
  while (!out.path.empty() && out.path.back() == '/') out.path.pop_back();
  return out;
}

}  // namespace sluice::net
