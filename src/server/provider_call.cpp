// The part of a model request between parsing and encoding: route, admit,
// stream, reconcile. Shared by /v1/chat/completions and /generate/structured.
#include <algorithm>

#include "server/handlers.h"

namespace sluice::server {

namespace asio = boost::asio;

namespace {

// Tokens a finished call used, for the limiter: reported usage when known,
// else the prompt estimate plus the tokens relayed.
int64_t UsedTokens(const RequestLog& log, int64_t estimated_prompt) {
  int64_t prompt = log.prompt_tokens >= 0 ? log.prompt_tokens : estimated_prompt;
  return prompt + std::max<int64_t>(0, log.completion_tokens);
}

// Settles the limiter's account when the answer ends, before the sink writes
// the final event: a client that sends its next request the moment it reads
// this one's end must be judged on real usage, not the estimate.
class ReconcilingSink final : public providers::EventSink {
 public:
  ReconcilingSink(providers::EventSink& inner, PreparedCall& call, const RequestLog& log)
      : inner_(inner), call_(call), log_(log) {}

  asio::awaitable<bool> Emit(api::Event e) override {
    if (e.kind == api::Event::Kind::kFinish || e.kind == api::Event::Kind::kError) {
      call_.admission.Reconcile(UsedTokens(log_, call_.estimated_prompt_tokens));
    }
    co_return co_await inner_.Emit(std::move(e));
  }
  asio::awaitable<bool> Flush() override { co_return co_await inner_.Flush(); }

 private:
  providers::EventSink& inner_;
  PreparedCall& call_;
  const RequestLog& log_;
};

}  // namespace

StatusOr<PreparedCall> PrepareCall(const Gateway& gw, const Request& http_req,
                                   const api::ChatRequest& req, ResponseWriter& out,
                                   RequestLog& log) {
  log.model = req.model.empty() ? gw.config.default_model : req.model;
  auto route = gw.router.Resolve(req.model);
  if (!route.ok()) return route.status();
  log.provider = route->provider->name();
  const int64_t estimate = EstimatePromptTokens(req.messages);
  auto admitted =
      AdmitCall(gw.security, http_req, route->public_model, estimate, out, gw.metrics);
  if (!admitted.ok()) return admitted.status();
  return PreparedCall{std::move(route).value(), std::move(admitted).value(), estimate};
}

asio::awaitable<bool> StreamFromProvider(const Gateway& gw, PreparedCall& call,
                                         const api::ChatRequest& req, providers::EventSink& sink,
                                         ResponseWriter& out, RequestLog& log) {
  providers::CancelToken cancel;
  ReconcilingSink reconciling(sink, call, log);
  out.WatchForDisconnect([&cancel] { cancel.Cancel(); });
  {
    ProviderCallScope scope(gw, log);
    co_await call.route.provider->Stream(req, call.route.upstream_model, reconciling, cancel);
  }
  co_await out.StopWatching();
  // A stream that ended early (client gone) settles here; otherwise a no-op.
  call.admission.Reconcile(UsedTokens(log, call.estimated_prompt_tokens));
  co_return cancel.cancelled();
}

}  // namespace sluice::server
