// The part of a model request between parsing and encoding: route, admit,
// stream, reconcile. Shared by /v1/chat/completions and /generate/structured.
#include <algorithm>

#include "base/log.h"
#include "server/handlers.h"
#include "server/stream_guard.h"

namespace sluice::server {

namespace asio = boost::asio;

namespace {

}  // namespace

int64_t CountPromptTokens(const tokenizer::Tokenizer& tok, const std::vector<api::Message>& messages) {
  // Message text only: chat-template tokens vary by model and are few.
  int64_t n = 0;
  for (const api::Message& m : messages) {
    n += static_cast<int64_t>(tokenizer::CountTokens(tok, m.content));
  }
  return n;
}

namespace {

// Tokens a finished call used, for the limiter: reported usage when known,
// else the prompt estimate plus the tokens relayed.
int64_t UsedTokens(const RequestLog& log, int64_t estimated_prompt) {
  int64_t prompt = log.prompt_tokens >= 0 ? log.prompt_tokens : estimated_prompt;
  return prompt + std::max<int64_t>(0, log.completion_tokens);
}

// Sits between the provider and the endpoint's sink and keeps the books:
// when an upstream reports no usage but the model's tokenizer is known, it
// counts the answer itself and hands the sink a usage event before the
// finish; and it settles the limiter's account before the sink writes the
// final event (a client that sends its next request the moment it reads this
// one's end must be judged on real usage, not the estimate).
class AccountingSink final : public providers::EventSink {
 public:
  AccountingSink(providers::EventSink& inner, PreparedCall& call, const api::ChatRequest& req,
                 RequestLog& log)
      : inner_(inner), call_(call), req_(req), log_(log) {}

  asio::awaitable<bool> Emit(api::Event e) override {
    using Kind = api::Event::Kind;
    const tokenizer::Tokenizer* tok = call_.route.tokenizer.get();
    if (e.kind == Kind::kToken && tok != nullptr) text_ += e.text;
    if (e.kind == Kind::kUsage) {
      saw_usage_ = true;
      log_.engine_prompt_s = e.usage.prompt_seconds;
      log_.engine_generation_s = e.usage.generation_seconds;
    }
    if (e.kind == Kind::kFinish && !saw_usage_ && tok != nullptr) {
      api::Usage usage;
      usage.prompt_tokens = CountPromptTokens(*tok, req_.messages);
      usage.completion_tokens = static_cast<int64_t>(tokenizer::CountTokens(*tok, text_));
      if (!co_await inner_.Emit(api::Event::UsageOf(usage))) co_return false;
    }
    if (e.kind == Kind::kFinish || e.kind == Kind::kError) {
      call_.admission.Reconcile(UsedTokens(log_, call_.estimated_prompt_tokens));
    }
    co_return co_await inner_.Emit(std::move(e));
  }
  asio::awaitable<bool> Flush() override { co_return co_await inner_.Flush(); }

 private:
  providers::EventSink& inner_;
  PreparedCall& call_;
  const api::ChatRequest& req_;
  RequestLog& log_;
  std::string text_;  // the answer so far, kept only when we may need to count it
  bool saw_usage_ = false;
};

}  // namespace

StatusOr<PreparedCall> PrepareCall(const Gateway& gw, const Request& http_req,
                                   const api::ChatRequest& req, ResponseWriter& out,
                                   RequestLog& log) {
  log.model = req.model.empty() ? gw.config.default_model : req.model;
  auto route = gw.router.Resolve(req.model);
  if (!route.ok()) return route.status();
  log.provider = route->provider->name();
  const int64_t estimate = route->tokenizer ? CountPromptTokens(*route->tokenizer, req.messages)
                                            : EstimatePromptTokens(req.messages);
  auto admitted =
      AdmitCall(gw.security, http_req, route->public_model, estimate, out, gw.metrics);
  if (!admitted.ok()) return admitted.status();
  return PreparedCall{std::move(route).value(), std::move(admitted).value(), estimate};
}

asio::awaitable<bool> StreamFromProvider(const Gateway& gw, PreparedCall& call,
                                         const api::ChatRequest& req, providers::EventSink& sink,
                                         ResponseWriter& out, RequestLog& log,
                                         const std::function<bool()>& restart) {
  providers::CancelToken cancel;
  AccountingSink accounting(sink, call, req, log);
  out.WatchForDisconnect([&cancel] { cancel.Cancel(); });
  providers::Provider& provider = *call.route.provider;
  // The embedded engine enforces the schema while decoding; upstreams are guarded.
  std::shared_ptr<const grammar::CompiledGrammar> guard_grammar;
  if (gw.config.stream_guard && std::string_view(provider.kind()) != "embedded") {
    guard_grammar = GuardGrammarFor(req.response_format);
  }
  {
    ProviderCallScope scope(gw, log);
    if (guard_grammar == nullptr) {
      co_await provider.Stream(req, call.route.upstream_model, accounting, cancel);
    } else {
      api::ChatRequest attempt = req;
      for (int retries_left = gw.config.structured_retries;; --retries_left) {
        StreamGuard guard(accounting, guard_grammar);
        co_await provider.Stream(attempt, call.route.upstream_model, guard, cancel);
        if (!guard.violated() || cancel.cancelled()) break;
        Log(LogLevel::kInfo, "structured output rejected mid-stream",
            {{"request_id", req.id}, {"error", guard.ViolationStatus().message()},
             {"retries_left", retries_left}});
        if (retries_left > 0 && restart && restart()) {
          attempt = WithFeedback(attempt, guard);
          continue;
        }
        co_await accounting.Emit(api::Event::Error(guard.ViolationStatus()));
        break;
      }
    }
  }
  co_await out.StopWatching();
  // A stream that ended early (client gone) settles here; otherwise a no-op.
  call.admission.Reconcile(UsedTokens(log, call.estimated_prompt_tokens));
  co_return cancel.cancelled();
}

}  // namespace sluice::server
