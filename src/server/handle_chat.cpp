// POST /v1/chat/completions: OpenAI Chat Completions over any provider.
//
// Non-streamed: collect the answer, validate it when a JSON response format
// was asked, answer chat.completion or an OpenAI error (502
// schema_validation_failed for output that breaks the schema).
// Streamed: the response head is held back until the provider's first event,
// so an upstream that fails before producing anything gets a real HTTP error
// status; after that, chat.completion.chunk events, the usage chunk when
// asked, and `data: [DONE]`. A failure after the head was sent (including a
// schema violation found at the end) is sent as `data: {"error": {...}}`
// with no [DONE], which OpenAI's SDKs raise as an error.
#include <chrono>

#include "api/json_body.h"
#include "api/openai_codec.h"
#include "api/structured_output.h"
#include "net/sse.h"
#include "server/handlers.h"
#include "server/http_errors.h"

namespace sluice::server {

namespace asio = boost::asio;
using api::Event;

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Checks a complete answer against the requested response format.
Status CheckFormat(const api::ChatRequest& req, const std::string& text) {
  if (req.response_format.kind == api::ResponseKind::kText) return Status::Ok();
  api::StructuredResult r = api::ParseAndValidate(text, req.response_format.schema.get());
  if (req.response_format.kind == api::ResponseKind::kJsonObject && r.ok && !r.value.is_object()) {
    r.ok = false;
    r.errors.push_back({"", "", "expected a JSON object"});
  }
  if (r.ok) return Status::Ok();
  std::vector<ErrorDetail> details;
  for (const auto& e : r.errors) details.push_back({{e.instance_path}, e.message, "schema"});
  return Status(ErrorCode::kSchemaViolation,
                "The model's output did not match the requested response_format",
                std::move(details));
}

class ChatSink final : public providers::EventSink {
 public:
  ChatSink(const Gateway& gw, ResponseWriter& out, RequestLog& log, const api::ChatRequest& req,
           const std::string& public_model)
      : gw_(gw), out_(out), log_(log), req_(req), encoder_(req.id, public_model, UnixNow()) {}

  asio::awaitable<bool> Emit(Event e) override {
    switch (e.kind) {
      case Event::Kind::kToken:
        text_ += e.text;
        ++n_tokens_;
        ProviderCallScope::NoteToken(log_);
        log_.completion_tokens = n_tokens_;  // until the provider reports usage
        if (!req_.stream) co_return true;
        co_return co_await Write(encoder_.TokenChunk(e.text));
      case Event::Kind::kUsage:
        usage_ = e.usage;
        have_usage_ = true;
        log_.prompt_tokens = usage_.prompt_tokens;  // the limiter settles on these at kFinish
        log_.completion_tokens = usage_.completion_tokens;
        co_return true;
      case Event::Kind::kFinish:
        done_ = true;
        co_return co_await Finish(e.finish_reason);
      case Event::Kind::kError:
        done_ = true;
        ProviderCallScope::NoteError(gw_, log_, e.error);
        co_return co_await Fail(e.error);
    }
    co_return true;
  }

  asio::awaitable<bool> Flush() override {
    if (!out_.started()) co_return true;  // non-streamed, or nothing sent yet
    co_return co_await out_.Flush();
  }

  bool done() const { return done_; }
  // A retry after a rejected answer is possible until the client has been
  // sent part of it (a stream that started).
  bool Restart() {
    if (out_.started()) return false;
    text_.clear();
    return true;
  }

 private:
  asio::awaitable<bool> Write(const std::string& payload) {
    if (!out_.started()) {
      log_.status = 200;
      Headers headers{{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
      if (!co_await out_.BeginStream(200, "text/event-stream", std::move(headers))) {
        co_return false;
      }
    }
    co_return out_.Queue(net::EncodeSseData(payload));
  }

  void RecordUsage() {
    if (!have_usage_) usage_.completion_tokens = n_tokens_;
    log_.prompt_tokens = have_usage_ ? usage_.prompt_tokens : -1;
    log_.completion_tokens = usage_.completion_tokens;
  }

  asio::awaitable<bool> Finish(const std::string& reason) {
    RecordUsage();
    Status format = CheckFormat(req_, text_);
    if (!req_.stream) {
      if (!format.ok()) co_return co_await Fail(format);
      log_.status = 200;
      co_return co_await out_.Send(200, "application/json",
                                   encoder_.Completion(text_, reason, usage_));
    }
    if (!format.ok()) co_return co_await Fail(format);
    if (!co_await Write(encoder_.FinishChunk(reason))) co_return false;
    if (req_.include_usage && !co_await Write(encoder_.UsageChunk(usage_))) co_return false;
    out_.Queue(net::EncodeSseData("[DONE]"));
    co_return co_await out_.Flush();
  }

  asio::awaitable<bool> Fail(const Status& error) {
    log_.error = ErrorCodeName(error.code());
    if (!out_.started()) {
      co_await SendOpenAIError(out_, log_, error);
      co_return true;
    }
    out_.Queue(net::EncodeSseData(api::OpenAIErrorBody(error, HttpStatusFor(error.code()))));
    co_return co_await out_.Flush();
  }

  const Gateway& gw_;
  ResponseWriter& out_;
  RequestLog& log_;
  const api::ChatRequest& req_;
  api::OpenAIResponseEncoder encoder_;
  std::string text_;
  int64_t n_tokens_ = 0;
  api::Usage usage_;
  bool have_usage_ = false;
  bool done_ = false;
};

}  // namespace

asio::awaitable<void> HandleChatCompletions(const Gateway& gw, const Request& http_req,
                                            ResponseWriter& out, RequestLog& log) {
  auto body = api::ParseJsonBody(http_req.body);
  if (!body.ok()) {
    co_await SendOpenAIError(out, log, body.status());
    co_return;
  }
  auto req = api::ParseChatCompletionRequest(*body);
  if (!req.ok()) {
    co_await SendOpenAIError(out, log, req.status());
    co_return;
  }
  req->id = http_req.request_id;
  if (Status cap = ApplyMaxTokensCap(gw.security, &req->sampling); !cap.ok()) {
    co_await SendOpenAIError(out, log, cap);
    co_return;
  }
  auto call = PrepareCall(gw, http_req, *req, out, log);
  if (!call.ok()) {
    co_await SendOpenAIError(out, log, call.status());
    co_return;
  }
  ChatSink sink(gw, out, log, *req, call->route.public_model);
  std::function<bool()> restart = [&sink] { return sink.Restart(); };
  co_await StreamFromProvider(gw, *call, *req, sink, out, log, restart);
  if (!sink.done()) {
    log.error = "cancelled";
    log.status = out.started() ? log.status : 499;
    co_return;
  }
  if (out.started()) co_await out.EndStream();
}

}  // namespace sluice::server
