#include "net/http_client.h"

#include <array>
#include <cstdlib>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>

namespace sluice::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// The process-wide TLS client context: system trust store, TLS 1.2+.
ssl::context& ClientTlsContext() {
  static ssl::context* ctx = [] {
    auto* c = new ssl::context(ssl::context::tls_client);
    c->set_default_verify_paths();
    c->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    return c;
  }();
  return *ctx;
}

// Resolves the upstream host. A literal IP address needs no resolver: that
// saves a round trip through Asio's resolver thread on every request.
asio::awaitable<StatusOr<tcp::resolver::results_type>> Resolve(const Url& url) {
  boost::system::error_code literal_ec;
  auto literal = asio::ip::make_address(url.host, literal_ec);
  if (!literal_ec) {
    char* end = nullptr;
    unsigned long port = std::strtoul(url.port.c_str(), &end, 10);
    if (*end == '\0' && port <= 65535) {
      co_return tcp::resolver::results_type::create(
          tcp::endpoint(literal, static_cast<unsigned short>(port)), url.host, url.port);
    }
  }
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [ec, results] = co_await resolver.async_resolve(url.host, url.port, kTuple);
  if (ec) {
    co_return Status(ErrorCode::kUpstreamError,
                     fmt::format("cannot resolve upstream host '{}': {}", url.host, ec.message()));
  }
  co_return results;
}

template <typename Stream>
inline constexpr bool kIsTls = false;
template <>
inline constexpr bool kIsTls<beast::ssl_stream<beast::tcp_stream>> = true;

// Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <typename Stream>
class BeastHttpStream final : public HttpStream {
 public:
  template <typename... Args>
  BeastHttpStream(Url url, HttpClientOptions options, Args&&... args)
      : stream_(std::forward<Args>(args)...), url_(std::move(url)), options_(options) {
    parser_.body_limit(boost::none);  // streams are bounded by time, not size
    parser_.header_limit(64 * 1024);
    buffer_.reserve(8192);  // read the response head in one go, not 512-byte steps
  }

  ~BeastHttpStream() override { Close(); }

  int status() const override { return static_cast<int>(parser_.get().result_int()); }

  std::string header(std::string_view name) const override {
    auto it = parser_.get().find(name);
    return it == parser_.get().end() ? std::string() : std::string(it->value());
  }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    auto& socket = beast::get_lowest_layer(stream_).socket();
    if (socket.is_open()) {
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    }
  }

  asio::awaitable<Status> Open(const HttpRequest& request, Clock::time_point deadline) override {
    auto endpoints = co_await Resolve(url_);
    if (closed_) co_return Cancelled();
    if (!endpoints.ok()) co_return endpoints.status();

    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_after(options_.connect_timeout);
    auto [ec, ep] = co_await lowest.async_connect(*endpoints, kTuple);
    if (ec) {
      if (closed_) co_return Cancelled();
      if (ec == beast::error::timeout) {
        co_return Status(ErrorCode::kUpstreamTimeout,
                         fmt::format("connecting to upstream {} timed out", url_.Authority()));
      }
      co_return Status(ErrorCode::kUpstreamError, fmt::format("cannot connect to upstream {}: {}",
                                                              url_.Authority(), ec.message()));
    }
    beast::error_code ignored;
    lowest.socket().set_option(tcp::no_delay(true), ignored);
    if constexpr (kIsTls<Stream>) {
      Status hs = co_await Handshake();
      if (!hs.ok()) co_return hs;
    }

    http::request<http::string_body> req{
        request.method == "GET" ? http::verb::get : http::verb::post, url_.path + request.target,
        11};
    req.set(http::field::host, url_.Authority());
    req.set(http::field::user_agent, "sluice/0.1");
    req.set(http::field::accept, "application/json, text/event-stream, application/x-ndjson");
    for (const auto& [k, v] : request.headers) req.set(k, v);
    if (request.method != "GET") {
      req.set(http::field::content_type, request.content_type);
      req.body() = request.body;
      req.prepare_payload();
    }
    lowest.expires_at(deadline);
    auto [wec, n] = co_await http::async_write(stream_, req, kTuple);
    if (wec) co_return MapIoError(wec, "write");
    auto [rec, n2] = co_await http::async_read_header(stream_, buffer_, parser_, kTuple);
    if (rec) co_return MapIoError(rec, "response");
    co_return Status::Ok();
  }

  asio::awaitable<StatusOr<BodyChunk>> ReadSome(Clock::time_point deadline) override {
    while (true) {
      if (closed_) co_return Cancelled();
      if (parser_.is_done()) co_return BodyChunk{{}, true};
      parser_.get().body().data = chunk_.data();
      parser_.get().body().size = chunk_.size();
      beast::get_lowest_layer(stream_).expires_at(deadline);
      auto [ec, n] = co_await http::async_read_some(stream_, buffer_, parser_, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) co_return MapIoError(ec, "read");
      size_t got = chunk_.size() - parser_.get().body().size;
      if (got > 0) co_return BodyChunk{std::string_view(chunk_.data(), got), false};
    }
  }

 private:
  static Status Cancelled() { return Status(ErrorCode::kCancelled, "upstream request cancelled"); }

  Status MapIoError(const beast::error_code& ec, std::string_view what) const {
    if (closed_ || ec == asio::error::operation_aborted) return Cancelled();
    if (ec == beast::error::timeout) {
      return Status(ErrorCode::kUpstreamTimeout,
                    fmt::format("upstream {} timed out ({})", what, url_.Authority()));
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == http::error::partial_message) {
      return Status(ErrorCode::kUpstreamError,
                    fmt::format("upstream closed the connection before the response was "
                                "complete ({})", url_.Authority()));
    }
    return Status(ErrorCode::kUpstreamError,
                  fmt::format("upstream {} failed ({}): {}", what, url_.Authority(), ec.message()));
  }

  asio::awaitable<Status> Handshake() {
    if constexpr (kIsTls<Stream>) {
      if (!SSL_set_tlsext_host_name(stream_.native_handle(), url_.host.c_str())) {
        co_return Status(ErrorCode::kUpstreamError, "TLS: cannot set the SNI host name");
      }
      if (options_.verify_tls) {
        stream_.set_verify_mode(ssl::verify_peer);
        stream_.set_verify_callback(ssl::host_name_verification(url_.host));
      } else {
        stream_.set_verify_mode(ssl::verify_none);
      }
      beast::get_lowest_layer(stream_).expires_after(options_.connect_timeout);
      auto [ec] = co_await stream_.async_handshake(ssl::stream_base::client, kTuple);
      if (ec) {
        if (closed_) co_return Cancelled();
        co_return Status(ErrorCode::kUpstreamError,
                         fmt::format("TLS handshake with upstream {} failed: {}",
                                     url_.Authority(), ec.message()));
      }
    }
    co_return Status::Ok();
  }

  Stream stream_;
  Url url_;
  HttpClientOptions options_;
  beast::flat_buffer buffer_;
  http::response_parser<http::buffer_body> parser_;
  std::array<char, 16384> chunk_;  // body bytes of the latest read (not zeroed: written before read)
  bool closed_ = false;
};

}  // namespace

asio::awaitable<StatusOr<std::string>> HttpStream::ReadAll(Clock::time_point deadline,
                                                           size_t limit) {
  std::string body;
  while (true) {
    auto chunk = co_await ReadSome(deadline);
    if (!chunk.ok()) co_return chunk.status();
    if (chunk->eof) co_return body;
    if (body.size() + chunk->data.size() > limit) {
      co_return Status(ErrorCode::kUpstreamError,
                       fmt::format("upstream response larger than {} bytes", limit));
    }
    body.append(chunk->data);
  }
}

std::unique_ptr<HttpStream> MakeHttpStream(asio::any_io_executor executor, const Url& url,
                                           const HttpClientOptions& options) {
  if (url.tls) {
    using TlsStream = beast::ssl_stream<beast::tcp_stream>;
    return std::make_unique<BeastHttpStream<TlsStream>>(url, options, executor,
                                                        ClientTlsContext());
  }
  return std::make_unique<BeastHttpStream<beast::tcp_stream>>(url, options, executor);
}

}  // namespace sluice::net
