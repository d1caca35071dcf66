// Base URLs of upstream servers ("http://localhost:11434", "https://api.openai.com/v1").
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace sluice::net {

struct Url {
  bool tls = false;     // https
  std::string host;     // without brackets for IPv6 literals
  std::string port;     // always set: explicit or 80/443
  std::string path;     // without trailing slash; "" for the root

  // "host:port" for logs and the Host header (brackets for IPv6).
  std::string Authority() const;
};

// Parses an absolute http(s) URL; query and fragment are refused (kInvalidArgument).
StatusOr<Url> ParseBaseUrl(std::string_view text);

}  // namespace sluice::net
