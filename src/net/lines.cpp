#include "net/lines.h"

#include <fmt/format.h>

namespace sluice::net {

namespace {
void PushLine(std::string line, std::vector<std::string>* out) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!line.empty()) out->push_back(std::move(line));
}
}  // namespace

Status LineSplitter::Feed(std::string_view bytes, std::vector<std::string>* out) {
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    std::string_view piece = bytes.substr(0, nl);
    if (partial_.size() + piece.size() > max_line_bytes_) {
      return Status(ErrorCode::kUpstreamError,
                    fmt::format("line-delimited stream: line longer than {} bytes",
                                max_line_bytes_));
    }
    partial_.append(piece);
    if (nl == std::string_view::npos) break;
    PushLine(std::move(partial_), out);
    partial_.clear();
    bytes.remove_prefix(nl + 1);
  }
  return Status::Ok();
}

std::string LineSplitter::TakeRemainder() {
  std::string rest = std::move(partial_);
  partial_.clear();
  if (!rest.empty() && rest.back() == '\r') rest.pop_back();
  return rest;
}

}  // namespace sluice::net
