// Request handlers: one coroutine per endpoint, over the Beast-free Request
// and ResponseWriter types. Dispatch() picks the handler by method and path
// and fills in the access-log record.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "server/config.h"
#include "server/auth.h"
#include "server/exchange.h"
#include "server/metrics.h"
#include "server/router.h"

namespace sluice::server {

// Everything handlers share: immutable after start-up, safe to read from
// every thread.
struct Gateway {
  const Config& config;
  const Router& router;
  Metrics& metrics;          // thread-safe
  const Security& security;  // thread-safe
};

// Brackets one provider call: counts the active stream and measures the
// time spent waiting on the provider, for the log and the metrics.
class ProviderCallScope {
 public:
  ProviderCallScope(const Gateway& gw, RequestLog& log);
  ~ProviderCallScope();
  ProviderCallScope(const ProviderCallScope&) = delete;
  ProviderCallScope& operator=(const ProviderCallScope&) = delete;

  // Called by sinks on every token; records the first one's arrival.
  static void NoteToken(RequestLog& log);
  // Called by sinks on an error event from the provider.
  static void NoteError(const Gateway& gw, const RequestLog& log, const Status& error);

 private:
  const Gateway& gw_;
  RequestLog& log_;
  std::chrono::steady_clock::time_point begin_;
};

// Authenticates model routes (filling req.key) before handing them on.
boost::asio::awaitable<void> Dispatch(const Gateway& gw, Request& req, ResponseWriter& out,
                                      RequestLog& log);

// Individual endpoints (handlers_basic.cpp, handle_structured.cpp, handle_chat.cpp).
boost::asio::awaitable<void> HandleHealth(ResponseWriter& out, RequestLog& log);
boost::asio::awaitable<void> HandleReady(const Gateway& gw, ResponseWriter& out, RequestLog& log);
boost::asio::awaitable<void> HandleModels(const Gateway& gw, const Request& req, ResponseWriter& out,
                                          RequestLog& log);
boost::asio::awaitable<void> HandleMetrics(const Gateway& gw, ResponseWriter& out, RequestLog& log);
// POST /tokenize and POST /detokenize with the model's tokenizer.
boost::asio::awaitable<void> HandleTokenize(const Gateway& gw, const Request& req,
                                            ResponseWriter& out, RequestLog& log);
// /admin/keys (GET list, POST create) and /admin/keys/{id} (DELETE revoke),
// guarded by the master key.
boost::asio::awaitable<void> HandleAdminKeys(const Gateway& gw, const Request& req,
                                             ResponseWriter& out, RequestLog& log);
boost::asio::awaitable<void> HandleStructured(const Gateway& gw, const Request& req,
                                              ResponseWriter& out, RequestLog& log);
boost::asio::awaitable<void> HandleChatCompletions(const Gateway& gw, const Request& req,
                                                   ResponseWriter& out, RequestLog& log);
// POST /v1/embeddings from an embedded model (handle_embeddings.cpp).
boost::asio::awaitable<void> HandleEmbeddings(const Gateway& gw, const Request& req,
                                              ResponseWriter& out, RequestLog& log);

// What the model endpoints share once a request is parsed (provider_call.cpp).
//
// PrepareCall: resolves the model (404) and admits the call (403/429/503),
// filling log.model / log.provider. The caller applies its own max_tokens
// rules before. StreamFromProvider: runs the provider into `sink` while
// watching the client; a disconnect cancels the upstream. It reconciles the
// limiter with the tokens used and returns true if the client went away.
// Prompt tokens by the model's own tokenizer (message text; the chat
// template's few tokens are not counted).
int64_t CountPromptTokens(const tokenizer::Tokenizer& tok, const std::vector<api::Message>& messages);

struct PreparedCall {
  Route route;
  AdmittedCall admission;
  int64_t estimated_prompt_tokens;
};
StatusOr<PreparedCall> PrepareCall(const Gateway& gw, const Request& http_req,
                                   const api::ChatRequest& req, ResponseWriter& out,
                                   RequestLog& log);
// Streams the call into `sink`; true when the client left. Structured
// requests to upstreams run under a StreamGuard: at the first byte that cannot
// lead to a valid document the upstream request is stopped, then retried with
// the error as feedback ([structured] retries) when `restart` agrees — it
// must forget the rejected answer and return true, or return false when the
// client already holds it as final output — else the sink gets a
// kSchemaViolation error.
boost::asio::awaitable<bool> StreamFromProvider(const Gateway& gw, PreparedCall& call,
                                                const api::ChatRequest& req,
                                                providers::EventSink& sink, ResponseWriter& out,
                                                RequestLog& log,
                                                const std::function<bool()>& restart = {});

// Error bodies. FastAPI style {"detail": [...]} for the lab endpoint and
// plain routes; OpenAI style {"error": {...}} under /v1.
boost::asio::awaitable<void> SendDetailError(ResponseWriter& out, RequestLog& log,
                                             const Status& status);
boost::asio::awaitable<void> SendOpenAIError(ResponseWriter& out, RequestLog& log,
                                             const Status& status);

}  // namespace sluice::server
