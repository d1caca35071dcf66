// OpenAI Chat Completions streaming (platform docs, "Streaming"):
//   request  {"model","messages","stream":true,"stream_options":{"include_usage":true}, ...}
//   response text/event-stream; each `data:` is a chat.completion.chunk
//             {"choices":[{"index":0,"delta":{"content":"..."},"finish_reason":null}]}
//             then a chunk with finish_reason, then (include_usage) a chunk with
//             "choices":[] and "usage", then `data: [DONE]`.
//             A mid-stream failure arrives as `data: {"error":{...}}`.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/json_body.h"
#include "net/sse.h"
#include "providers/wire.h"
#include "providers/wire_json.h"

namespace sluice::providers {

namespace json = boost::json;
using api::Event;

std::string EncodeOpenAIChat(const api::ChatRequest& request, const std::string& upstream_model) {
  json::object body;
  body["model"] = upstream_model;
  body["messages"] = EncodeMessages(request.messages);
  body["stream"] = true;
  body["stream_options"] = json::object{{"include_usage", true}};
  const api::Sampling& s = request.sampling;
  if (s.temperature) body["temperature"] = *s.temperature;
  if (s.top_p) body["top_p"] = *s.top_p;
  if (s.top_k) body["top_k"] = *s.top_k;  // vLLM and llama.cpp accept it; OpenAI ignores it
  if (s.seed) body["seed"] = *s.seed;
  if (s.max_tokens) body["max_tokens"] = *s.max_tokens;
  if (s.presence_penalty) body["presence_penalty"] = *s.presence_penalty;
  if (s.frequency_penalty) body["frequency_penalty"] = *s.frequency_penalty;
  if (!s.stop.empty()) body["stop"] = EncodeStrings(s.stop);
  const api::ResponseFormat& rf = request.response_format;
  if (rf.kind == api::ResponseKind::kJsonObject) {
    body["response_format"] = json::object{{"type", "json_object"}};
  } else if (rf.kind == api::ResponseKind::kJsonSchema) {
    body["response_format"] = json::object{
        {"type", "json_schema"},
        {"json_schema", json::object{{"name", rf.name.empty() ? "response" : rf.name},
                                     {"schema", ParseSchemaJson(rf.schema_json)},
                                     {"strict", rf.strict}}}};
  }
  return json::serialize(body);
}

namespace {

class OpenAIDecoder final : public StreamDecoder {
 public:
  Status Feed(std::string_view bytes, std::vector<Event>* out) override {
    events_.clear();
    SLUICE_RETURN_IF_ERROR(parser_.Feed(bytes, &events_));
    for (const net::SseEvent& e : events_) SLUICE_RETURN_IF_ERROR(DecodeEvent(e, out));
    return Status::Ok();
  }

  Status Finish(std::vector<Event>* out) override {
    if (!done_ && !finish_reason_) {
      return Status(ErrorCode::kUpstreamError,
                    "malformed upstream stream: ended before a finish_reason or [DONE]");
    }
    if (!done_) Complete(out);  // tolerate servers that omit [DONE] after finishing
    return Status::Ok();
  }

 private:
  void Complete(std::vector<Event>* out) {
    done_ = true;
    if (usage_) out->push_back(Event::UsageOf(*usage_));
    out->push_back(Event::Finish(finish_reason_.value_or("stop")));
  }

  Status DecodeEvent(const net::SseEvent& e, std::vector<Event>* out) {
    if (done_) return Status::Ok();  // nothing after [DONE] matters
    if (e.data == "[DONE]") {
      Complete(out);
      return Status::Ok();
    }
    auto parsed = api::ParseJsonBody(e.data);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status(ErrorCode::kUpstreamError,
                    fmt::format("malformed upstream stream: event data is not a JSON object: {:.80}",
                                e.data));
    }
    const json::object& o = parsed->get_object();
    if (const json::value* err = o.if_contains("error"); err && !err->is_null()) {
      return Status(ErrorCode::kUpstreamError,
                    "upstream error: " + UpstreamErrorMessage(e.data));
    }
    if (const json::value* u = o.if_contains("usage"); u && u->is_object()) {
      api::Usage usage;
      const json::object& uo = u->get_object();
      if (const json::value* p = uo.if_contains("prompt_tokens")) {
        usage.prompt_tokens = api::AsInteger(*p).value_or(0);
      }
      if (const json::value* c = uo.if_contains("completion_tokens")) {
        usage.completion_tokens = api::AsInteger(*c).value_or(0);
      }
      usage_ = usage;
    }
    const json::value* choices = o.if_contains("choices");
    if (choices == nullptr || !choices->is_array()) {
      return Status(ErrorCode::kUpstreamError,
                    "malformed upstream stream: chunk without a \"choices\" array");
    }
    for (const json::value& c : choices->get_array()) {
      const json::object* co = c.if_object();
      if (co == nullptr) continue;
      if (const json::value* idx = co->if_contains("index"); idx && api::AsInteger(*idx) != 0) {
        continue;  // we only ever ask for n = 1
      }
      if (const json::value* d = co->if_contains("delta"); d && d->is_object()) {
        const json::value* content = d->get_object().if_contains("content");
        if (content && content->is_string() && !content->get_string().empty()) {
          out->push_back(Event::Token(std::string(content->get_string())));
        }
      }
      if (const json::value* f = co->if_contains("finish_reason"); f && f->is_string()) {
        finish_reason_ = std::string(f->get_string());
      }
    }
    return Status::Ok();
  }

  net::SseParser parser_;
  std::vector<net::SseEvent> events_;
  std::optional<std::string> finish_reason_;
  std::optional<api::Usage> usage_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> MakeOpenAIDecoder() { return std::make_unique<OpenAIDecoder>(); }

}  // namespace sluice::providers
