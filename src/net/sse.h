// Server-Sent Events: an incremental parser for the `text/event-stream` format
// (WHATWG HTML, "Parsing an event stream") and the encoder for our own streams.
//
// The parser accepts bytes split anywhere (mid-line, mid-CRLF, mid-UTF-8) and
// yields complete events. Lines end in LF, CR or CRLF; `:` lines are comments;
// one space after the colon is dropped; multiple `data:` lines join with LF; a
// blank line dispatches the event (an event with no data is not dispatched).
// Pure and socket-free; not thread-safe (one per stream).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::net {

struct SseEvent {
  std::string event;  // "" means the default type, "message"
  std::string data;
  std::string id;
};

class SseParser {
 public:
  // `max_event_bytes` bounds the memory one event (or one unterminated line)
  // may hold; past it Feed fails.
  explicit SseParser(size_t max_event_bytes = 8 << 20) : max_event_bytes_(max_event_bytes) {}

  // Consumes `bytes`, appending each event completed by them to `out`.
  // kUpstreamError if an event grows past the limit.
  Status Feed(std::string_view bytes, std::vector<SseEvent>* out);

  // True when bytes of an incomplete line or event are buffered (a stream that
  // ends now ended mid-event).
  bool HasPartial() const { return !line_.empty() || has_fields_; }

 private:
  void ProcessLine(std::string_view line, std::vector<SseEvent>* out);

  size_t max_event_bytes_;
  std::string line_;       // current line, without its terminator
  bool last_was_cr_ = false;
  bool at_start_ = true;   // for the optional leading BOM
  bool has_fields_ = false;
  bool has_data_ = false;
  SseEvent pending_;
};

// One SSE event carrying `payload` as data: "data: <payload>\n\n". A payload
// containing line breaks becomes several data lines, so it round-trips.
std::string EncodeSseData(std::string_view payload);

}  // namespace sluice::net
