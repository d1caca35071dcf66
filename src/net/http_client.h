// A streaming HTTP/1.1 client for talking to upstream model servers
// (Boost.Beast over TCP, or over OpenSSL when the URL is https).
//
//   auto resp = MakeHttpStream(executor, url, options);
//   Status st = co_await resp->Open(request, head_deadline);
//   while (true) { auto chunk = co_await resp->ReadSome(deadline); ... }
//
// One request per connection: the connection closes when the HttpStream is
// destroyed or Close() is called, which also aborts a pending read (that is
// how cancellation reaches the upstream). All operations run on the executor
// they were opened with; an HttpStream must be used from one strand only.
// Certificates are verified by default against the system store (honours
// SSL_CERT_FILE / SSL_CERT_DIR) with host-name checking and SNI.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "base/status.h"
#include "net/url.h"

namespace sluice::net {

using Clock = std::chrono::steady_clock;

struct HttpRequest {
  std::string method = "POST";
  std::string target;  // appended to the base URL's path: "/api/chat"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  bool verify_tls = true;
};

// Body bytes from one read. `data` is valid until the next call on the stream.
struct BodyChunk {
  std::string_view data;
  bool eof = false;  // the body is complete; `data` is empty
};

class HttpStream {
 public:
  virtual ~HttpStream() = default;

  // Resolves, connects (TLS when the URL says https), sends `request` and
  // reads the response head (status + headers) before `head_deadline`.
  // Errors: kUpstreamError (refused, reset, TLS, bad response),
  // kUpstreamTimeout (connect timeout or deadline passed), kCancelled.
  virtual boost::asio::awaitable<Status> Open(const HttpRequest& request,
                                              Clock::time_point head_deadline) = 0;

  // Response status line and headers, available once Open succeeded.
  virtual int status() const = 0;
  virtual std::string header(std::string_view name) const = 0;

  // Reads the next piece of body (chunked encoding already removed). Fails
  // with kUpstreamTimeout past `deadline`, kUpstreamError when the connection
  // breaks before the body is complete, kCancelled after Close().
  virtual boost::asio::awaitable<StatusOr<BodyChunk>> ReadSome(Clock::time_point deadline) = 0;

  // Reads the rest of the body, up to `limit` bytes (kUpstreamError past it).
  boost::asio::awaitable<StatusOr<std::string>> ReadAll(Clock::time_point deadline, size_t limit);

  // Closes the connection now (also before or during Open); a pending
  // operation completes with kCancelled. Call on the stream's executor.
  virtual void Close() = 0;
};

// A stream for one request to `url`'s server; nothing happens until Open().
std::unique_ptr<HttpStream> MakeHttpStream(boost::asio::any_io_executor executor, const Url& url,
                                           const HttpClientOptions& options);

}  // namespace sluice::net
