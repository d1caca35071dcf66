#include "net/sse.h"

#include <fmt/format.h>

namespace sluice::net {

Status SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* out) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (last_was_cr_) {
      last_was_cr_ = false;
      if (bytes[i] == '\n') {  // the LF of a CRLF split across (or within) chunks
        ++i;
        continue;
      }
    }
    size_t end = bytes.find_first_of("\r\n", i);
    size_t stop = end == std::string_view::npos ? bytes.size() : end;
    std::string_view piece = bytes.substr(i, stop - i);
    if (line_.size() + piece.size() + pending_.data.size() > max_event_bytes_) {
      return Status(ErrorCode::kUpstreamError,
                    fmt::format("event stream: event larger than {} bytes", max_event_bytes_));
    }
    if (end == std::string_view::npos) {
      line_.append(piece);  // an unterminated line waits for the next chunk
      break;
    }
    last_was_cr_ = bytes[end] == '\r';
    if (line_.empty()) {
      ProcessLine(piece, out);  // the common case: the whole line is in this chunk
    } else {
      line_.append(piece);
      ProcessLine(line_, out);
      line_.clear();
    }
    i = end + 1;
  }
  return Status::Ok();
}

void SseParser::ProcessLine(std::string_view line, std::vector<SseEvent>* out) {
  if (at_start_) {
    at_start_ = false;
    if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  }
  if (line.empty()) {
    if (has_data_) out->push_back(std::move(pending_));
    pending_ = SseEvent{};
    has_fields_ = has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // a comment
  size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data += '\n';
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
  }
  // "retry" and unknown fields are ignored, as the spec says.
  has_fields_ = true;
}

std::string EncodeSseData(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 8);
  size_t start = 0;
  while (true) {
    size_t end = payload.find_first_of("\r\n", start);
    out += "data: ";
    out.append(payload.substr(start, end == std::string_view::npos ? end : end - start));
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (payload[end] == '\r' && start < payload.size() && payload[start] == '\n') ++start;
  }
  out += '\n';
  return out;
}

}  // namespace sluice::net
