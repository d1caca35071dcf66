// What a handler sees of one HTTP exchange, without Beast in sight:
// the parsed request, and a ResponseWriter for either a whole response or a
// streamed (chunked) one. The session (session.cpp) implements the writer over
// the client socket; handlers are plain coroutines over these types.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "server/security/key_store.h"

namespace sluice::server {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;        // "GET", "POST", ...
  std::string path;          // target without the query string
  std::string content_type;  // "" when absent
  std::string request_id;    // echoed x-request-id or generated
  std::string api_key;       // from Authorization: Bearer or x-api-key ("" = none)
  std::string body;
  std::optional<security::KeyRecord> key;  // set by Dispatch once authenticated
};

// What the access log line and the metrics record about a request;
// handlers fill it in.
struct RequestLog {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double first_token_ms = -1;  // start → first token from the provider
  double upstream_ms = -1;     // time spent inside Provider::Stream
  std::string key_name;        // the API key's name once authenticated
  std::string route;           // the matched route ("" when none matched)
  int status = 0;
  std::string model;
  std::string provider;
  int64_t prompt_tokens = -1;      // -1: unknown
  int64_t completion_tokens = -1;
  double engine_prompt_s = -1;     // in-process engine compute time (embedded provider)
  double engine_generation_s = -1;
  std::string error;               // error code name when the request failed
};

// Writes one response. Every method returns false when the client is gone;
// after that, further writes do nothing and return false. Not thread-safe:
// use from the session's strand only.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // A complete response with Content-Length.
  virtual boost::asio::awaitable<bool> Send(int status, std::string_view content_type,
                                            std::string body, Headers headers = {}) = 0;

  // A streamed response: the head (chunked transfer encoding), then data,
  // then the end. Queue() only buffers; Flush() sends everything queued as
  // one chunk in one write, so events that arrived together leave together.
  // EndStream() flushes and terminates the body. Queue returns false once
  // the client is gone.
  virtual boost::asio::awaitable<bool> BeginStream(int status, std::string_view content_type,
                                                   Headers headers = {}) = 0;
  virtual bool Queue(std::string_view data) = 0;
  virtual boost::asio::awaitable<bool> Flush() = 0;
  virtual boost::asio::awaitable<bool> EndStream() = 0;

  // Watches the client connection while a handler waits on something else:
  // `on_gone` runs (on the session's strand) if the client disconnects.
  // StopWatching() ends the watch and waits until it has ended.
  virtual void WatchForDisconnect(std::function<void()> on_gone) = 0;
  virtual boost::asio::awaitable<void> StopWatching() = 0;

  // Headers added to whatever response is sent (rate-limit headers).
  virtual void AddHeaders(Headers headers) = 0;

  virtual bool started() const = 0;  // a response head was written
};

}  // namespace sluice::server
