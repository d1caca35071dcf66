// POST /generate/structured: the lab's SSE contract (see api/lab_codec.h).
//
// The response is always 200 text/event-stream once the request is valid:
// token events as the upstream produces them, then exactly one final event.
// "success" is sent only for output the schema validator accepted.
#include <boost/json/value.hpp>

#include "api/json_body.h"
#include "api/lab_codec.h"
#include "api/structured_output.h"
#include "net/sse.h"
#include "server/handlers.h"

namespace sluice::server {

namespace asio = boost::asio;
using api::Event;

namespace {

class LabSink final : public providers::EventSink {
 public:
  LabSink(const Gateway& gw, ResponseWriter& out, RequestLog& log, const api::ChatRequest& req)
      : gw_(gw), out_(out), log_(log), req_(req) {}

  asio::awaitable<bool> Emit(Event e) override {
    switch (e.kind) {
      case Event::Kind::kToken:
        text_ += e.text;
        ++n_tokens_;
        ProviderCallScope::NoteToken(log_);
        log_.completion_tokens = n_tokens_;  // until the provider reports usage
        co_return out_.Queue(net::EncodeSseData(api::LabTokenEvent(e.text)));
      case Event::Kind::kUsage:
        log_.prompt_tokens = e.usage.prompt_tokens;
        log_.completion_tokens = e.usage.completion_tokens;
        co_return true;
      case Event::Kind::kFinish: {
        finished_ = true;
        if (log_.completion_tokens < 0) log_.completion_tokens = n_tokens_;
        api::StructuredResult r =
            api::ParseAndValidate(text_, req_.response_format.schema.get());
        std::string payload = r.ok ? api::LabSuccessEvent(r.value)
                                   : api::LabValidationErrorEvent(r.errors);
        if (!r.ok) log_.error = "schema_validation_failed";
        out_.Queue(net::EncodeSseData(payload));
        co_return co_await out_.Flush();
      }
      case Event::Kind::kError:
        finished_ = true;
        log_.error = ErrorCodeName(e.error.code());
        ProviderCallScope::NoteError(gw_, log_, e.error);
        if (e.error.code() == ErrorCode::kSchemaViolation) {
          // Stopped mid-stream by the guard: the offset and what was expected.
          std::vector<schema::ValidationError> errors;
          for (const ErrorDetail& d : e.error.details()) {
            errors.push_back({d.loc.empty() ? "" : d.loc[0], "", d.msg});
          }
          out_.Queue(net::EncodeSseData(api::LabValidationErrorEvent(errors)));
        } else {
          out_.Queue(net::EncodeSseData(api::LabErrorEvent(e.error.message())));
        }
        co_return co_await out_.Flush();
    }
    co_return true;
  }

  asio::awaitable<bool> Flush() override { co_return co_await out_.Flush(); }

  bool finished() const { return finished_; }
  // A retry after a rejected answer: the token events sent stay sent; the
  // final event judges the new answer alone.
  bool Restart() {
    text_.clear();
    return true;
  }

 private:
  const Gateway& gw_;
  ResponseWriter& out_;
  RequestLog& log_;
  const api::ChatRequest& req_;
  std::string text_;
  int64_t n_tokens_ = 0;
  bool finished_ = false;
};

}  // namespace

asio::awaitable<void> HandleStructured(const Gateway& gw, const Request& http_req,
                                       ResponseWriter& out, RequestLog& log) {
  auto body = api::ParseJsonBody(http_req.body);
  if (!body.ok()) {
    Status s(ErrorCode::kInvalidArgument, body.status().message(),
             {{{"body"}, body.status().message(), "json_invalid"}});
    co_await SendDetailError(out, log, s);
    co_return;
  }
  auto req = api::ParseStructuredRequest(*body);
  if (!req.ok()) {
    co_await SendDetailError(out, log, req.status());
    co_return;
  }
  req->id = http_req.request_id;
  if (Status cap = ApplyMaxTokensCap(gw.security, &req->sampling); !cap.ok()) {
    // Built before the co_await: GCC 12 mishandles braced temporaries in co_await expressions.
    Status error(ErrorCode::kUnprocessable, cap.message(),
                 {{{"body", "max_tokens"}, cap.message(), "less_than_equal"}});
    co_await SendDetailError(out, log, error);
    co_return;
  }
  auto call = PrepareCall(gw, http_req, *req, out, log);
  if (!call.ok()) {
    co_await SendDetailError(out, log, call.status());
    co_return;
  }

  log.status = 200;
  Headers headers{{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}};
  if (!co_await out.BeginStream(200, "text/event-stream", std::move(headers))) {
    co_return;
  }
  LabSink sink(gw, out, log, *req);
  std::function<bool()> restart = [&sink] { return sink.Restart(); };
  bool client_gone = co_await StreamFromProvider(gw, *call, *req, sink, out, log, restart);
  if (client_gone && !sink.finished()) {
    log.error = "cancelled";
    co_return;  // the client is gone; nothing to end
  }
  co_await out.EndStream();
}

}  // namespace sluice::server
