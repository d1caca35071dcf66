// Newline-delimited JSON framing: splits a byte stream into lines, accepting
// chunks split anywhere. Lines end in LF (a CR before it is dropped); empty
// lines are skipped. Pure; not thread-safe (one per stream).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace sluice::net {

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes = 8 << 20) : max_line_bytes_(max_line_bytes) {}

  // Appends each line completed by `bytes` to `out`. kUpstreamError if a line
  // grows past the limit.
  Status Feed(std::string_view bytes, std::vector<std::string>* out);

  // At end of stream: the last line if it had no terminator ("" if none).
  std::string TakeRemainder();

 private:
  size_t max_line_bytes_;
  std::string partial_;
};

}  // namespace sluice::net
