// StopMatcher: applies stop sequences to a stream of text deltas.
//
// Text is fed as it is decoded; what comes back is the text that is safe to
// send. A tail that could still become the start of a stop sequence is held
// back until a later delta settles it, so a stop sequence split across
// tokens never leaks: when one completes, everything before it is released
// and it (and anything after it) is dropped. Finish() releases the held tail
// when the stream ends for another reason. Held-back text always starts at a
// UTF-8 character boundary when the input and the stop strings are valid UTF-8
// (a held suffix equals the start of a stop string, which starts a character).
// Not thread-safe; one per stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::engine {

class StopMatcher {
 public:
  // Empty strings in `stops` are ignored.
  explicit StopMatcher(std::vector<std::string> stops);

  // Adds `delta`; returns the text that can be sent now. After a stop
  // sequence matched, stopped() is true and further input is ignored.
  std::string Feed(std::string_view delta);
  // The held-back tail (empty after a stop).
  std::string Finish();

  bool stopped() const { return stopped_; }
  size_t held() const { return pending_.size(); }

 private:
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace sluice::engine
