#include "providers/http_provider.h"

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "net/http_client.h"
#include "providers/wire.h"

namespace sluice::providers {

namespace asio = boost::asio;
using api::Event;
using net::Clock;

namespace {

// Errors from upstream bodies can be large; we only keep the start.
constexpr size_t kErrorBodyLimit = 64 * 1024;

class HttpProvider final : public Provider {
 public:
  explicit HttpProvider(HttpProviderConfig config) : config_(std::move(config)) {}

  const std::string& name() const override { return config_.name; }
  const char* kind() const override {
    return config_.kind == UpstreamKind::kOllama ? "ollama" : "openai";
  }

  asio::awaitable<void> Stream(const api::ChatRequest& request, const std::string& upstream_model,
                               EventSink& sink, CancelToken& cancel) override {
    const Clock::time_point start = Clock::now();
    const StreamTimeouts& t = config_.timeouts;
    net::HttpRequest http_request = BuildChatRequest(request, upstream_model);

    auto executor = co_await asio::this_coro::executor;
    std::shared_ptr<net::HttpStream> upstream =
        net::MakeHttpStream(executor, config_.base, {t.connect, config_.verify_tls});
    // Cancellation may fire on any thread: it closes the stream on its own
    // executor, if the stream still exists by then.
    std::weak_ptr<net::HttpStream> weak = upstream;
    cancel.OnCancel([weak, executor] {
      asio::post(executor, [weak] {
        if (auto s = weak.lock()) s->Close();
      });
    });
    struct ClearOnExit {
      CancelToken& token;
      ~ClearOnExit() { token.Clear(); }
    } clear_on_exit{cancel};
    if (cancel.cancelled()) co_return;

    Status opened = co_await upstream->Open(http_request, start + t.first_token);
    if (!opened.ok()) {
      if (!cancel.cancelled()) co_await sink.Emit(Event::Error(Describe(opened, false)));
      co_return;
    }
    if (upstream->status() != 200) {
      auto body = co_await upstream->ReadAll(Clock::now() + t.idle, kErrorBodyLimit);
      std::string detail = body.ok() ? UpstreamErrorMessage(*body) : body.status().message();
      co_await sink.Emit(Event::Error(
          Status(ErrorCode::kUpstreamError,
                 fmt::format("upstream returned HTTP {}: {}", upstream->status(), detail))));
      co_return;
    }

    std::unique_ptr<StreamDecoder> decoder =
        config_.kind == UpstreamKind::kOllama ? MakeOllamaDecoder() : MakeOpenAIDecoder();
    std::vector<Event> events;
    bool got_token = false;
    Clock::time_point last_token = start;
    while (true) {
      Clock::time_point deadline = got_token ? last_token + t.idle : start + t.first_token;
      auto chunk = co_await upstream->ReadSome(deadline);
      if (!chunk.ok()) {
        if (!cancel.cancelled()) co_await sink.Emit(Event::Error(Describe(chunk.status(), got_token)));
        co_return;
      }
      events.clear();
      Status decoded = chunk->eof ? decoder->Finish(&events) : decoder->Feed(chunk->data, &events);
      for (Event& e : events) {
        bool terminal = e.kind == Event::Kind::kFinish;
        if (e.kind == Event::Kind::kToken) {
          got_token = true;
          last_token = Clock::now();
        }
        if (!co_await sink.Emit(std::move(e))) {
          upstream->Close();
          co_return;
        }
        if (terminal) co_return;  // the answer is complete; don't wait for EOF
      }
      if (!events.empty() && !co_await sink.Flush()) {
        upstream->Close();
        co_return;
      }
      if (!decoded.ok()) {
        co_await sink.Emit(Event::Error(decoded));
        co_return;
      }
      if (chunk->eof) co_return;
    }
  }

  asio::awaitable<Status> Probe() override {
    net::HttpRequest req;
    req.method = "GET";
    req.target = config_.kind == UpstreamKind::kOllama ? "/api/version" : ModelsPath();
    AddAuth(req);
    auto executor = co_await asio::this_coro::executor;
    auto stream = net::MakeHttpStream(executor, config_.base, {config_.timeouts.connect,
                                                               config_.verify_tls});
    auto deadline = Clock::now() + config_.timeouts.connect + std::chrono::seconds(2);
    Status opened = co_await stream->Open(req, deadline);
    if (!opened.ok()) co_return opened;
    if (stream->status() != 200) {
      co_return Status(ErrorCode::kUnavailable,
                       fmt::format("probe {}{} answered HTTP {}", config_.base.Authority(),
                                   req.target, stream->status()));
    }
    co_return Status::Ok();
  }

 private:
  // OpenAI-style base URLs are often given with their /v1 already.
  bool BaseHasV1() const {
    const std::string& p = config_.base.path;
    return p.size() >= 3 && p.compare(p.size() - 3, 3, "/v1") == 0;
  }
  std::string ChatPath() const {
    return BaseHasV1() ? "/chat/completions" : "/v1/chat/completions";
  }
  std::string ModelsPath() const { return BaseHasV1() ? "/models" : "/v1/models"; }

  void AddAuth(net::HttpRequest& req) const {
    if (!config_.api_key.empty()) req.headers.emplace_back("Authorization", "Bearer " + config_.api_key);
  }

  net::HttpRequest BuildChatRequest(const api::ChatRequest& request,
                                    const std::string& upstream_model) const {
    net::HttpRequest req;
    if (config_.kind == UpstreamKind::kOllama) {
      req.target = "/api/chat";
      req.body = EncodeOllamaChat(request, upstream_model);
    } else {
      req.target = ChatPath();
      req.body = EncodeOpenAIChat(request, upstream_model);
    }
    if (!request.id.empty()) req.headers.emplace_back("X-Request-Id", request.id);
    AddAuth(req);
    return req;
  }

  // Rewrites timeouts into messages that name the timeout that fired.
  Status Describe(const Status& s, bool got_token) const {
    if (s.code() != ErrorCode::kUpstreamTimeout || s.message().find("connecting") == 0) return s;
    if (got_token) {
      return Status(ErrorCode::kUpstreamTimeout,
                    fmt::format("upstream stalled: no token for {} ms (idle timeout)",
                                config_.timeouts.idle.count()));
    }
    return Status(ErrorCode::kUpstreamTimeout,
                  fmt::format("upstream sent no token within {} ms (first-token timeout)",
                              config_.timeouts.first_token.count()));
  }

  HttpProviderConfig config_;
};

}  // namespace

std::unique_ptr<Provider> MakeHttpProvider(HttpProviderConfig config) {
  return std::make_unique<HttpProvider>(std::move(config));
}

}  // namespace sluice::providers
