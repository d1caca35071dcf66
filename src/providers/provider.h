// Provider: the egress side. Turns one normalized ChatRequest into a stream
// of Events (tokens, usage, finish, or one error).
//
// Stream() is a coroutine that runs on the caller's executor (the session's
// strand) and hands every event to `sink` as it arrives, awaiting the sink so
// that a slow client slows the upstream read rather than growing a buffer.
// It returns when the stream is over; it always ends the stream with exactly
// one kFinish or kError event unless the sink returned false or `cancel` fired,
// in which case it stops at once and closes the upstream connection.
// Providers are shared by all sessions: implementations must be thread-safe
// (they hold only immutable configuration).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "api/types.h"
#include "base/status.h"
#include "providers/cancel.h"

namespace sluice::providers {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Delivers one event; false means the receiver is gone: stop streaming.
  // A sink may hold output back until Flush().
  virtual boost::asio::awaitable<bool> Emit(api::Event event) = 0;
  // Called after each batch of events that arrived together (one upstream
  // read), and by the sink itself after a terminal event.
  virtual boost::asio::awaitable<bool> Flush() = 0;
};

struct StreamTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_token{60000};
  std::chrono::milliseconds idle{30000};
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Configured name ("local-ollama") and kind ("ollama", "openai").
  virtual const std::string& name() const = 0;
  virtual const char* kind() const = 0;

  // Streams the answer for `request`, sent upstream as model `upstream_model`.
  virtual boost::asio::awaitable<void> Stream(const api::ChatRequest& request,
                                              const std::string& upstream_model,
                                              EventSink& sink, CancelToken& cancel) = 0;

  // Checks that the upstream answers at all (for /ready). OK or why not.
  virtual boost::asio::awaitable<Status> Probe() = 0;
};

}  // namespace sluice::providers
