#include "server/session.h"

#include <array>
#include <cassert>
#include <chrono>
#include <random>
#include <type_traits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "api/openai_codec.h"
#include "base/log.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// How long a client may take to send a request head + body, and how long a
// keep-alive connection may sit idle between requests.
constexpr std::chrono::seconds kReadTimeout{30};
constexpr std::chrono::seconds kKeepAliveIdle{60};
// A client that stops reading a response is cut off after this long.
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr size_t kHeaderLimit = 16 * 1024;  // request line + all header fields
constexpr size_t kMaxHeaderFields = 100;
// While streaming, bytes a client sends (pipelined requests) are kept up to this.
constexpr size_t kPipelineLimit = 64 * 1024;
// After refusing a request, at most this much of its body is read and dropped.
constexpr size_t kLingerLimit = 8 << 20;

uint64_t SessionHost::Add(std::function<void(bool)> close) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  sessions_.emplace(id, std::move(close));
  return id;
}

void SessionHost::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
}

size_t SessionHost::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionHost::BeginShutdown() {
  stopping_.store(true);
  std::lock_guard lock(mu_);
  for (auto& [id, close] : sessions_) close(false);
}

void SessionHost::CloseAll() {
  std::lock_guard lock(mu_);
  for (auto& [id, close] : sessions_) close(true);
}

namespace {

using TlsStream = asio::ssl::stream<beast::tcp_stream>;

// Per-connection state; shared with the shutdown hook through a weak_ptr.
// Stream is beast::tcp_stream (plain HTTP) or TlsStream (HTTPS).
template <class Stream>
struct Connection {
  template <class... Args>
  explicit Connection(Args&&... args) : stream(std::forward<Args>(args)...) {
    buffer.reserve(8192);
  }
  Stream stream;
  beast::flat_buffer buffer;
  bool busy = false;
  // The TCP layer: deadlines (expires_after) and the socket.
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }
};

std::string NewRequestId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return fmt::format("{:016x}{:016x}", rng(), rng());
}

// A client-supplied id is echoed only if it is short and plain.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

template <class Stream>
class BeastWriter final : public ResponseWriter {
 public:
  BeastWriter(Connection<Stream>& conn, bool keep_alive, std::string request_id, bool head_only)
      : conn_(conn),
        keep_alive_(keep_alive),
        request_id_(std::move(request_id)),
        head_only_(head_only),
        watch_timer_(conn.stream.get_executor()) {}

  // The session always awaits StopWatching() before destroying the writer; only
  // when the io_context itself is torn down can a watch still be armed, and
  // then its handler is destroyed without running.
  ~BeastWriter() override = default;

  bool started() const override { return started_; }
  void AddHeaders(Headers headers) override {
    for (auto& h : headers) extra_headers_.push_back(std::move(h));
  }
  bool broken() const { return broken_; }
  bool keep_alive() const { return keep_alive_; }

  asio::awaitable<bool> Send(int status, std::string_view content_type, std::string body,
                             Headers headers) override {
    if (broken_ || started_) co_return false;
    started_ = true;
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    SetCommonHeaders(res, content_type, headers);
    res.body() = std::move(body);
    res.prepare_payload();
    conn_.tcp().expires_after(kWriteTimeout);
    beast::error_code ec;
    if (head_only_) {
      http::response_serializer<http::string_body> sr{res};
      std::tie(ec, std::ignore) = co_await http::async_write_header(conn_.stream, sr, kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await http::async_write(conn_.stream, res, kTuple);
    }
    co_return Check(ec);
  }

  asio::awaitable<bool> BeginStream(int status, std::string_view content_type,
                                    Headers headers) override {
    if (broken_ || started_) co_return false;
    started_ = streaming_ = true;
    http::response<http::empty_body> res{static_cast<http::status>(status), 11};
    SetCommonHeaders(res, content_type, headers);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    conn_.tcp().expires_after(kWriteTimeout);
    auto [ec, n] = co_await http::async_write_header(conn_.stream, sr, kTuple);
    co_return Check(ec);
  }

  bool Queue(std::string_view data) override {
    if (broken_ || !streaming_) return false;
    queued_.append(data);
    return true;
  }

  asio::awaitable<bool> Flush() override {
    if (broken_ || !streaming_) co_return false;
    if (queued_.empty()) co_return true;  // an empty chunk would end the body
    conn_.tcp().expires_after(kWriteTimeout);
    auto [ec, n] = co_await asio::async_write(conn_.stream,
                                              http::make_chunk(asio::buffer(queued_)), kTuple);
    queued_.clear();
    co_return Check(ec);
  }

  asio::awaitable<bool> EndStream() override {
    if (broken_ || !streaming_) co_return false;
    streaming_ = false;
    conn_.tcp().expires_after(kWriteTimeout);
    beast::error_code ec;
    if (queued_.empty()) {
      std::tie(ec, std::ignore) =
          co_await asio::async_write(conn_.stream, http::make_chunk_last(), kTuple);
    } else {
      std::tie(ec, std::ignore) = co_await asio::async_write(
          conn_.stream,
          beast::buffers_cat(http::make_chunk(asio::buffer(queued_)), http::make_chunk_last()),
          kTuple);
      queued_.clear();
    }
    co_return Check(ec);
  }

  void WatchForDisconnect(std::function<void()> on_gone) override {
    if (watching_) return;
    watching_ = true;
    watch_done_ = false;
    on_gone_ = std::move(on_gone);
    ArmWatch();
  }

  asio::awaitable<void> StopWatching() override {
    if (!watching_) co_return;
    stop_requested_ = true;
    if (!watch_done_) {
      beast::error_code ignored;
      conn_.tcp().socket().cancel(ignored);
      watch_timer_.expires_at(asio::steady_timer::time_point::max());
      co_await watch_timer_.async_wait(kTuple);  // woken by the watch handler
    }
    watching_ = false;
    stop_requested_ = false;
  }

 private:
  template <typename Body>
  void SetCommonHeaders(http::response<Body>& res, std::string_view content_type,
                        const Headers& headers) {
    res.set(http::field::server, "sluice");
    res.set(http::field::content_type, content_type);
    res.set("x-request-id", request_id_);
    for (const auto& [k, v] : extra_headers_) res.set(k, v);
    for (const auto& [k, v] : headers) res.set(k, v);
    res.keep_alive(keep_alive_);
  }

  bool Check(const beast::error_code& ec) {
    if (ec) {
      broken_ = true;
      keep_alive_ = false;
    }
    return !ec;
  }

  // Reads from the client while the handler waits on the upstream. EOF or an
  // error means the client is gone; data is a pipelined request, kept in the
  // connection buffer for the next loop iteration.
  void ArmWatch() {
    if (conn_.buffer.size() >= kPipelineLimit) {
      FinishWatch();
      return;
    }
    auto on_read = [this](const beast::error_code& ec, size_t n) {
          conn_.buffer.commit(n);
          if (!ec && !stop_requested_) {
            ArmWatch();
            return;
          }
          if (ec && ec != asio::error::operation_aborted) {
            broken_ = true;
            keep_alive_ = false;
            if (on_gone_) on_gone_();
          }
          FinishWatch();
        };
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      // Straight from the socket: no deadline, however long the upstream takes.
      conn_.tcp().socket().async_read_some(conn_.buffer.prepare(4096), std::move(on_read));
    } else {
      // TLS records must go through the TLS layer. Its reads would inherit the
      // last write deadline; a watch has none (each write sets its own again).
      conn_.tcp().expires_never();
      conn_.stream.async_read_some(conn_.buffer.prepare(4096), std::move(on_read));
    }
  }

  void FinishWatch() {
    watch_done_ = true;
    watch_timer_.cancel();
  }

  Connection<Stream>& conn_;
  bool keep_alive_;
  std::string request_id_;
  bool head_only_;
  bool started_ = false;
  bool streaming_ = false;
  bool broken_ = false;
  bool watching_ = false;
  bool watch_done_ = true;
  bool stop_requested_ = false;
  std::function<void()> on_gone_;
  asio::steady_timer watch_timer_;
  std::string queued_;  // streamed data not yet written (see Queue/Flush)
  Headers extra_headers_;
};

// Answers a request that could not be read in full (too large, malformed)
// and ends the connection. The error body has the shape the path's clients
// parse: OpenAI's under /v1/, FastAPI's elsewhere.
template <class Stream>
asio::awaitable<void> SendProtocolError(Connection<Stream>& conn, std::string_view target,
                                        ErrorCode code, int status, std::string message) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "sluice");
  res.set(http::field::content_type, "application/json");
  res.set("x-request-id", NewRequestId());
  res.keep_alive(false);
  Status error(code, std::move(message));
  if (target.rfind("/v1/", 0) == 0) {
    res.body() = api::OpenAIErrorBody(error, status);
  } else {
    std::string body = "{\"detail\":\"";
    AppendJsonEscaped(body, error.message());
    body += "\"}";
    res.body() = std::move(body);
  }
  res.prepare_payload();
  conn.tcp().expires_after(kWriteTimeout);
  auto [ec, n] = co_await http::async_write(conn.stream, res, kTuple);
  if (ec) co_return;
  // Lingering close: stop sending, then drain what the client is still
  // uploading for a moment, so it reads our answer instead of a reset.
  beast::error_code ignored;
  conn.tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16384> scratch;
  size_t drained = 0;
  conn.tcp().expires_after(std::chrono::seconds(1));
  while (drained < kLingerLimit) {
    auto [rec, got] = co_await conn.stream.async_read_some(asio::buffer(scratch), kTuple);
    if (rec) break;
    drained += got;
  }
}

bool HeadWithinLimits(const http::request<http::string_body>& msg) {
  size_t bytes = msg.method_string().size() + msg.target().size() + 12;
  size_t fields = 0;
  for (const auto& f : msg) {
    bytes += f.name_string().size() + f.value().size() + 4;
    if (++fields > kMaxHeaderFields || bytes > kHeaderLimit) return false;
  }
  return true;
}

// The access log line. Not in the coroutine: GCC 12 miscompiles the
// initializer_list of LogFields there (its backing array was read after it
// died, crashing the release build after every request).
void LogRequest(const Request& req, const RequestLog& log, double ms) {
  Log(log.error.empty() ? LogLevel::kInfo : LogLevel::kWarn, "request",
      {{"request_id", req.request_id},
       {"method", req.method},
       {"path", req.path},
       {"status", log.status},
       {"model", log.model},
       {"provider", log.provider},
       {"duration_ms", ms},
       {"first_token_ms", log.first_token_ms},
       {"upstream_ms", log.upstream_ms},
       {"prompt_tokens", log.prompt_tokens},
       {"completion_tokens", log.completion_tokens},
       {"key", log.key_name},
       {"error", log.error}});
}

Request ToRequest(const http::request<http::string_body>& msg) {
  Request req;
  req.method = std::string(msg.method_string());
  std::string_view target = msg.target();
  req.path = std::string(target.substr(0, target.find('?')));
  if (auto it = msg.find(http::field::content_type); it != msg.end()) {
    req.content_type = std::string(it->value());
  }
  auto id = msg.find("x-request-id");
  req.request_id = (id != msg.end() && IsAcceptableRequestId(id->value()))
                       ? std::string(id->value())
                       : NewRequestId();
  if (auto it = msg.find(http::field::authorization); it != msg.end()) {
    std::string_view v = it->value();
    if (v.size() > 7 && beast::iequals(v.substr(0, 7), "Bearer ")) req.api_key = std::string(v.substr(7));
  }
  if (req.api_key.empty()) {
    if (auto it = msg.find("x-api-key"); it != msg.end()) req.api_key = std::string(it->value());
  }
  req.body = msg.body();
  return req;
}

// Serves requests on an open (and, for TLS, handshaken) connection.
template <class Stream>
asio::awaitable<void> Serve(std::shared_ptr<Connection<Stream>> conn, SessionHost& host) {
  auto executor = conn->stream.get_executor();
  std::weak_ptr<Connection<Stream>> weak = conn;
  uint64_t id = host.Add([weak, executor](bool force) {
    asio::post(executor, [weak, force] {
      auto c = weak.lock();
      if (!c) return;
      beast::error_code ignored;
      if (force) {
        // Shutdown (not close) makes a pending disconnect watch see EOF, so the
        // handler cancels its upstream and unwinds normally.
        c->tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      } else if (!c->busy) {
        c->tcp().socket().cancel(ignored);
      }
    });
  });
  struct Unregister {
    SessionHost& host;
    uint64_t id;
    ~Unregister() { host.Remove(id); }
  } unregister{host, id};
  host.gateway().metrics.ConnectionOpened();
  struct CountClose {
    Metrics& metrics;
    ~CountClose() { metrics.ConnectionClosed(); }
  } count_close{host.gateway().metrics};

  bool first = true;
  while (!host.stopping()) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(host.gateway().config.body_limit);
    conn->tcp().expires_after(first ? kReadTimeout : kKeepAliveIdle);
    first = false;
    auto [ec, n] = co_await http::async_read_header(conn->stream, conn->buffer, parser, kTuple);
    // Beast applies header_limit to the bytes of each read still unparsed, so
    // the head's total size and field count are checked here, once it is read.
    if (!ec && !HeadWithinLimits(parser.get())) ec = http::error::header_limit;
    if (!ec && parser.get()[http::field::expect] == "100-continue") {
      // curl sends this for bodies over 1 KiB and waits for the interim answer.
      http::response<http::empty_body> cont{http::status::continue_, 11};
      std::tie(ec, std::ignore) = co_await http::async_write(conn->stream, cont, kTuple);
    }
    if (!ec && !parser.is_done()) {
      std::tie(ec, std::ignore) =
          co_await http::async_read(conn->stream, conn->buffer, parser, kTuple);
    }
    // The start line is stored as soon as it is parsed, even when a later check fails.
    const std::string target(parser.get().target());
    if (ec == http::error::body_limit) {
      co_await SendProtocolError(*conn, target, ErrorCode::kPayloadTooLarge, 413,
                                 fmt::format("request body larger than {} bytes",
                                             host.gateway().config.body_limit));
      break;
    }
    if (ec == http::error::header_limit) {
      co_await SendProtocolError(*conn, target, ErrorCode::kInvalidArgument, 431,
                                 "request header fields too large");
      break;
    }
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset) {
      break;
    }
    if (ec) {
      co_await SendProtocolError(*conn, target, ErrorCode::kInvalidArgument, 400,
                                 "malformed HTTP request: " + ec.message());
      break;
    }

    conn->busy = true;
    const auto& msg = parser.get();
    Request req = ToRequest(msg);
    RequestLog log;  // its clock starts now
    BeastWriter<Stream> writer(*conn, msg.keep_alive() && !host.stopping(), req.request_id,
                       msg.method() == http::verb::head);
    co_await Dispatch(host.gateway(), req, writer, log);
    co_await writer.StopWatching();
    conn->busy = false;

    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                          log.start).count();
    RequestSample sample;
    sample.route = log.route.empty() ? "unmatched" : log.route;  // bounded label values
    sample.model = log.model;
    sample.provider = log.provider;
    sample.status = log.status;
    sample.total_s = ms / 1000.0;
    sample.first_token_s = log.first_token_ms < 0 ? -1 : log.first_token_ms / 1000.0;
    sample.upstream_s = log.upstream_ms < 0 ? -1 : log.upstream_ms / 1000.0;
    sample.prompt_tokens = log.prompt_tokens;
    sample.completion_tokens = log.completion_tokens;
    sample.key_name = log.key_name;
    sample.engine_prompt_s = log.engine_prompt_s;
    sample.engine_generation_s = log.engine_generation_s;
    host.gateway().metrics.RecordRequest(sample);
    LogRequest(req, log, ms);
    if (!writer.keep_alive() || writer.broken()) break;
  }
  beast::error_code ignored;
  conn->tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->tcp().close();
}

}  // namespace

asio::awaitable<void> RunSession(tcp::socket socket, SessionHost& host) {
  asio::ssl::context* tls = host.tls();
  if (tls == nullptr) {
    co_await Serve(std::make_shared<Connection<beast::tcp_stream>>(std::move(socket)), host);
    co_return;
  }
  auto conn = std::make_shared<Connection<TlsStream>>(std::move(socket), *tls);
  conn->tcp().expires_after(kReadTimeout);
  auto [ec] = co_await conn->stream.async_handshake(asio::ssl::stream_base::server, kTuple);
  if (ec) {
    Log(LogLevel::kDebug, "tls handshake failed", {{"error", ec.message()}});
    conn->tcp().close();
    co_return;
  }
  co_await Serve(std::move(conn), host);
}

}  // namespace sluice::server
