// Ollama's chat API (docs/api.md in the Ollama repository):
//   request  {"model","messages":[{"role","content"}],"stream":true,
//             "format": <JSON Schema> | "json", "options":{temperature, top_p, top_k, seed,
//             num_predict, stop, presence_penalty, frequency_penalty}}
//   response one JSON object per line:
//             {"model","created_at","message":{"role":"assistant","content":"..."},"done":false}
//             ... {"done":true,"done_reason":"stop","prompt_eval_count":N,"eval_count":M, ...}
//             or {"error":"..."}
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/json_body.h"
#include "net/lines.h"
#include "providers/wire.h"
#include "providers/wire_json.h"

namespace sluice::providers {

namespace json = boost::json;
using api::Event;

std::string EncodeOllamaChat(const api::ChatRequest& request, const std::string& upstream_model) {
  json::object body;
  body["model"] = upstream_model;
  body["messages"] = EncodeMessages(request.messages);
  body["stream"] = true;
  switch (request.response_format.kind) {
    case api::ResponseKind::kJsonSchema:
      body["format"] = ParseSchemaJson(request.response_format.schema_json);
      break;
    case api::ResponseKind::kJsonObject:
      body["format"] = "json";
      break;
    case api::ResponseKind::kText:
      break;
  }
  json::object options;
  const api::Sampling& s = request.sampling;
  if (s.temperature) options["temperature"] = *s.temperature;
  if (s.top_p) options["top_p"] = *s.top_p;
  if (s.top_k) options["top_k"] = *s.top_k;
  if (s.seed) options["seed"] = *s.seed;
  if (s.max_tokens) options["num_predict"] = *s.max_tokens;
  if (s.presence_penalty) options["presence_penalty"] = *s.presence_penalty;
  if (s.frequency_penalty) options["frequency_penalty"] = *s.frequency_penalty;
  if (!s.stop.empty()) options["stop"] = EncodeStrings(s.stop);
  if (!options.empty()) body["options"] = std::move(options);
  return json::serialize(body);
}

namespace {

class OllamaDecoder final : public StreamDecoder {
 public:
  Status Feed(std::string_view bytes, std::vector<Event>* out) override {
    lines_.clear();
    SLUICE_RETURN_IF_ERROR(splitter_.Feed(bytes, &lines_));
    for (const std::string& line : lines_) SLUICE_RETURN_IF_ERROR(DecodeLine(line, out));
    return Status::Ok();
  }

  Status Finish(std::vector<Event>* out) override {
    std::string rest = splitter_.TakeRemainder();
    if (!rest.empty()) SLUICE_RETURN_IF_ERROR(DecodeLine(rest, out));
    if (!done_) {
      return Status(ErrorCode::kUpstreamError,
                    "malformed upstream stream: ended without a final \"done\": true line");
    }
    return Status::Ok();
  }

 private:
  Status DecodeLine(std::string_view line, std::vector<Event>* out) {
    if (done_) {
      return Status(ErrorCode::kUpstreamError, "malformed upstream stream: data after \"done\"");
    }
    auto parsed = api::ParseJsonBody(line);
    if (!parsed.ok() || !parsed->is_object()) {
      return Status(ErrorCode::kUpstreamError,
                    fmt::format("malformed upstream stream: line is not a JSON object: {:.80}",
                                line));
    }
    const json::object& o = parsed->get_object();
    if (const json::value* err = o.if_contains("error")) {
      std::string msg = err->is_string() ? std::string(err->get_string()) : json::serialize(*err);
      return Status(ErrorCode::kUpstreamError, "upstream error: " + msg);
    }
    if (const json::value* msg = o.if_contains("message"); msg && msg->is_object()) {
      const json::value* content = msg->get_object().if_contains("content");
      if (content && content->is_string() && !content->get_string().empty()) {
        out->push_back(Event::Token(std::string(content->get_string())));
      }
    }
    const json::value* done = o.if_contains("done");
    if (done == nullptr || !done->is_bool()) {
      return Status(ErrorCode::kUpstreamError,
                    "malformed upstream stream: line has no boolean \"done\"");
    }
    if (done->get_bool()) {
      done_ = true;
      api::Usage usage;
      if (const json::value* p = o.if_contains("prompt_eval_count")) {
        usage.prompt_tokens = api::AsInteger(*p).value_or(0);
      }
      if (const json::value* e = o.if_contains("eval_count")) {
        usage.completion_tokens = api::AsInteger(*e).value_or(0);
      }
      out->push_back(Event::UsageOf(usage));
      std::string reason = "stop";
      if (const json::value* r = o.if_contains("done_reason"); r && r->is_string()) {
        reason = r->get_string() == "length" ? "length" : "stop";
      }
      out->push_back(Event::Finish(reason));
    }
    return Status::Ok();
  }

  net::LineSplitter splitter_;
  std::vector<std::string> lines_;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<StreamDecoder> MakeOllamaDecoder() { return std::make_unique<OllamaDecoder>(); }

std::string UpstreamErrorMessage(std::string_view body) {
  auto parsed = api::ParseJsonBody(body);
  if (parsed.ok() && parsed->is_object()) {
    const json::value* err = parsed->get_object().if_contains("error");
    if (err && err->is_string()) return std::string(err->get_string());
    if (err && err->is_object()) {
      const json::value* m = err->get_object().if_contains("message");
      if (m && m->is_string()) return std::string(m->get_string());
    }
  }
  std::string text(body.substr(0, 200));
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace sluice::providers
