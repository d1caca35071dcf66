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
  out.WatchForDisconnect([&cancel] { cancel.Cancel(); });
  {
    ProviderCallScope scope(gw, log);
    co_await call.route.provider->Stream(req, call.route.upstream_model, sink, cancel);
  }
  co_await out.StopWatching();
  call.admission.Reconcile(UsedTokens(log, call.estimated_prompt_tokens));
  co_return cancel.cancelled();
}

}  // namespace sluice::server
