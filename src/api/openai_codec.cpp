#include "api/openai_codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "api/json_body.h"

namespace sluice::api {

namespace json = boost::json;

namespace {

// A conversation longer than this is an attack or a bug, not a chat.
constexpr size_t kMaxMessages = 2048;

Status BadParam(std::string param, std::string message) {
  std::string loc = param;
  return Status(ErrorCode::kInvalidArgument, std::move(message),
                {{{std::move(loc)}, "", "invalid_value"}});
}

// Reads one message's content: a string, null, or an array of text parts.
StatusOr<std::string> ReadContent(const json::value& v, const std::string& param) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return std::string();
  if (!v.is_array()) {
    return BadParam(param, fmt::format("'{}' must be a string or an array of content parts", param));
  }
  std::string out;
  size_t i = 0;
  for (const json::value& part : v.get_array()) {
    std::string p = fmt::format("{}[{}]", param, i++);
    const json::object* o = part.if_object();
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (type == nullptr || !type->is_string()) {
      return BadParam(p, fmt::format("'{}' must be an object with a 'type'", p));
    }
    if (type->get_string() != "text") {
      return BadParam(p, fmt::format("'{}': content part type '{}' is not supported (text only)", p,
                                     std::string_view(type->get_string())));
    }
    const json::value* text = o->if_contains("text");
    if (text == nullptr || !text->is_string()) {
      return BadParam(p + ".text", fmt::format("'{}.text' must be a string", p));
    }
    out += text->get_string();
  }
  return out;
}

Status ReadMessages(const json::object& body, std::vector<Message>* out) {
  const json::value* v = body.if_contains("messages");
  if (v == nullptr) return BadParam("messages", "'messages' is a required property");
  if (!v->is_array() || v->get_array().empty()) {
    return BadParam("messages", "'messages' must be a non-empty array");
  }
  if (v->get_array().size() > kMaxMessages) {
    return BadParam("messages", fmt::format("'messages' has more than {} entries", kMaxMessages));
  }
  size_t i = 0;
  for (const json::value& m : v->get_array()) {
    std::string param = fmt::format("messages[{}]", i++);
    const json::object* o = m.if_object();
    if (o == nullptr) return BadParam(param, fmt::format("'{}' must be an object", param));
    const json::value* role = o->if_contains("role");
    if (role == nullptr || !role->is_string()) {
      return BadParam(param + ".role", fmt::format("'{}.role' must be a string", param));
    }
    std::string r(role->get_string());
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant") {
      return BadParam(param + ".role",
                      fmt::format("'{}.role': '{}' is not supported (system, developer, user, "
                                  "assistant)", param, r));
    }
    const json::value* content = o->if_contains("content");
    if (content == nullptr) {
      return BadParam(param + ".content", fmt::format("'{}.content' is required", param));
    }
    auto text = ReadContent(*content, param + ".content");
    if (!text.ok()) return text.status();
    out->push_back({std::move(r), std::move(*text)});
  }
  return Status::Ok();
}

// Optional number in [lo, hi]; absent or null leaves `out` unset.
Status ReadNumber(const json::object& body, const char* key, double lo, double hi,
                  std::optional<double>* out) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  auto n = AsNumber(*v);
  if (!n || *n < lo || *n > hi) {
    return BadParam(key, fmt::format("'{}' must be a number between {} and {}", key, lo, hi));
  }
  *out = n;
  return Status::Ok();
}

Status ReadInteger(const json::object& body, const char* key, int64_t lo, int64_t hi,
                   std::optional<int64_t>* out) {
  const json::value* v = body.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  auto n = AsInteger(*v);
  if (!n || *n < lo || *n > hi) {
    return BadParam(key, fmt::format("'{}' must be an integer between {} and {}", key, lo, hi));
  }
  *out = n;
  return Status::Ok();
}

Status ReadStop(const json::object& body, std::vector<std::string>* out) {
  const json::value* v = body.if_contains("stop");
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (v->is_string()) {
    out->emplace_back(v->get_string());
    return Status::Ok();
  }
  if (!v->is_array() || v->get_array().size() > 4) {
    return BadParam("stop", "'stop' must be a string or an array of at most 4 strings");
  }
  for (const json::value& s : v->get_array()) {
    if (!s.is_string() || s.get_string().empty()) {
      return BadParam("stop", "'stop' must contain only non-empty strings");
    }
    out->emplace_back(s.get_string());
  }
  return Status::Ok();
}

Status ReadResponseFormat(const json::object& body, ResponseFormat* out) {
  const json::value* v = body.if_contains("response_format");
  if (v == nullptr || v->is_null()) return Status::Ok();
  const json::object* o = v->if_object();
  const json::value* type = o ? o->if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string()) {
    return BadParam("response_format", "'response_format' must be an object with a 'type'");
  }
  std::string_view t = type->get_string();
  if (t == "text") return Status::Ok();
  if (t == "json_object") {
    out->kind = ResponseKind::kJsonObject;
    return Status::Ok();
  }
  if (t != "json_schema") {
    return BadParam("response_format.type",
                    fmt::format("'response_format.type': '{}' is not one of text, json_object, "
                                "json_schema", t));
  }
  const json::value* js = o->if_contains("json_schema");
  if (js == nullptr || !js->is_object()) {
    return BadParam("response_format.json_schema",
                    "'response_format.json_schema' is required when type is json_schema");
  }
  const json::object& jo = js->get_object();
  const json::value* name = jo.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty()) {
    return BadParam("response_format.json_schema.name",
                    "'response_format.json_schema.name' must be a non-empty string");
  }
  out->kind = ResponseKind::kJsonSchema;
  out->name = std::string(name->get_string());
  if (const json::value* strict = jo.if_contains("strict"); strict && strict->is_bool()) {
    out->strict = strict->get_bool();
  }
  json::value schema_doc = json::object();  // no schema: any JSON value
  if (const json::value* s = jo.if_contains("schema"); s != nullptr) {
    if (!s->is_object() && !s->is_bool()) {
      return BadParam("response_format.json_schema.schema",
                      "'response_format.json_schema.schema' must be a JSON Schema object");
    }
    schema_doc = *s;
  }
  auto compiled = schema::Compile(schema_doc);
  if (!compiled.ok()) {
    return Status(ErrorCode::kUnprocessable,
                  "invalid JSON Schema in response_format: " + compiled.status().message(),
                  {{{"response_format.json_schema.schema"}, "", "invalid_schema"}});
  }
  out->schema_json = json::serialize(schema_doc);
  out->schema = std::move(compiled).value();
  return Status::Ok();
}

}  // namespace

StatusOr<ChatRequest> ParseChatCompletionRequest(const json::value& body_value) {
  const json::object* body = body_value.if_object();
  if (body == nullptr) {
    return Status(ErrorCode::kInvalidArgument, "request body must be a JSON object");
  }
  ChatRequest req;
  if (const json::value* m = body->if_contains("model"); m != nullptr && !m->is_null()) {
    if (!m->is_string()) return BadParam("model", "'model' must be a string");
    req.model = std::string(m->get_string());
  }
  SLUICE_RETURN_IF_ERROR(ReadMessages(*body, &req.messages));
  if (const json::value* s = body->if_contains("stream"); s != nullptr && !s->is_null()) {
    if (!s->is_bool()) return BadParam("stream", "'stream' must be a boolean");
    req.stream = s->get_bool();
  }
  if (const json::value* so = body->if_contains("stream_options"); so && so->is_object()) {
    if (const json::value* iu = so->get_object().if_contains("include_usage"); iu) {
      if (!iu->is_bool()) {
        return BadParam("stream_options.include_usage", "'include_usage' must be a boolean");
      }
      req.include_usage = iu->get_bool();
    }
  }
  Sampling& s = req.sampling;
  SLUICE_RETURN_IF_ERROR(ReadNumber(*body, "temperature", 0.0, 2.0, &s.temperature));
  SLUICE_RETURN_IF_ERROR(ReadNumber(*body, "top_p", 0.0, 1.0, &s.top_p));
  SLUICE_RETURN_IF_ERROR(ReadNumber(*body, "presence_penalty", -2.0, 2.0, &s.presence_penalty));
  SLUICE_RETURN_IF_ERROR(ReadNumber(*body, "frequency_penalty", -2.0, 2.0, &s.frequency_penalty));
  SLUICE_RETURN_IF_ERROR(ReadInteger(*body, "top_k", 1, 1 << 20, &s.top_k));
  SLUICE_RETURN_IF_ERROR(ReadInteger(*body, "seed", INT64_MIN, INT64_MAX, &s.seed));
  SLUICE_RETURN_IF_ERROR(ReadInteger(*body, "max_tokens", 1, 1 << 24, &s.max_tokens));
  std::optional<int64_t> max_completion;
  SLUICE_RETURN_IF_ERROR(
      ReadInteger(*body, "max_completion_tokens", 1, 1 << 24, &max_completion));
  if (max_completion) s.max_tokens = max_completion;
  std::optional<int64_t> n;
  SLUICE_RETURN_IF_ERROR(ReadInteger(*body, "n", 1, INT64_MAX, &n));
  if (n && *n != 1) return BadParam("n", "'n' must be 1: multiple choices are not supported");
  SLUICE_RETURN_IF_ERROR(ReadStop(*body, &s.stop));
  for (const char* unsupported : {"tools", "functions", "tool_choice", "function_call"}) {
    if (const json::value* t = body->if_contains(unsupported); t && !t->is_null()) {
      return BadParam(unsupported, fmt::format("'{}' is not supported by this gateway yet",
                                               unsupported));
    }
  }
  SLUICE_RETURN_IF_ERROR(ReadResponseFormat(*body, &req.response_format));
  return req;
}

std::string OpenAIErrorBody(const Status& status, int http_status) {
  json::object err;
  err["message"] = status.message();
  const char* type = http_status >= 500 ? "server_error" : "invalid_request_error";
  if (status.code() == ErrorCode::kRateLimited) type = "rate_limit_error";
  if (status.code() == ErrorCode::kUnauthenticated) type = "authentication_error";
  err["type"] = type;
  if (!status.details().empty() && !status.details()[0].loc.empty() &&
      status.code() != ErrorCode::kSchemaViolation) {
    err["param"] = status.details()[0].loc[0];
  } else {
    err["param"] = nullptr;
  }
  if (status.code() == ErrorCode::kNotFound && status.message().find("model") != std::string::npos) {
    err["code"] = "model_not_found";
  } else {
    err["code"] = ErrorCodeName(status.code());
  }
  if (status.code() == ErrorCode::kSchemaViolation) {
    json::array errors;
    for (const auto& d : status.details()) {
      errors.push_back(
          json::object{{"path", d.loc.empty() ? "" : d.loc[0]}, {"message", d.msg}});
    }
    err["errors"] = std::move(errors);
  }
  return json::serialize(json::object{{"error", std::move(err)}});
}

OpenAIResponseEncoder::OpenAIResponseEncoder(std::string request_id, std::string model,
                                             int64_t created_unix)
    : completion_id_("chatcmpl-" + std::move(request_id)),
      model_(std::move(model)),
      created_(created_unix) {}

json::object OpenAIResponseEncoder::ChunkBase() const {
  json::object o;
  o["id"] = completion_id_;
  o["object"] = "chat.completion.chunk";
  o["created"] = created_;
  o["model"] = model_;
  o["system_fingerprint"] = nullptr;
  return o;
}

std::string OpenAIResponseEncoder::TokenChunk(std::string_view text) {
  json::object delta;
  if (!sent_role_) {
    delta["role"] = "assistant";
    sent_role_ = true;
  }
  delta["content"] = text;
  json::object o = ChunkBase();
  o["choices"] = json::array{json::object{
      {"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}, {"finish_reason", nullptr}}};
  return json::serialize(o);
}

std::string OpenAIResponseEncoder::FinishChunk(std::string_view finish_reason) {
  json::object delta;
  if (!sent_role_) {
    delta["role"] = "assistant";
    delta["content"] = "";
    sent_role_ = true;
  }
  json::object o = ChunkBase();
  o["choices"] = json::array{json::object{{"index", 0},
                                          {"delta", std::move(delta)},
                                          {"logprobs", nullptr},
                                          {"finish_reason", finish_reason}}};
  return json::serialize(o);
}

namespace {
json::object UsageObject(const Usage& u) {
  return json::object{{"prompt_tokens", u.prompt_tokens},
                      {"completion_tokens", u.completion_tokens},
                      {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}
}  // namespace

std::string OpenAIResponseEncoder::UsageChunk(const Usage& usage) const {
  json::object o = ChunkBase();
  o["choices"] = json::array();
  o["usage"] = UsageObject(usage);
  return json::serialize(o);
}

std::string OpenAIResponseEncoder::Completion(std::string_view content,
                                              std::string_view finish_reason,
                                              const Usage& usage) const {
  json::object o;
  o["id"] = completion_id_;
  o["object"] = "chat.completion";
  o["created"] = created_;
  o["model"] = model_;
  o["system_fingerprint"] = nullptr;
  json::object message{{"role", "assistant"}, {"content", content}, {"refusal", nullptr}};
  o["choices"] = json::array{json::object{{"index", 0},
                                          {"message", std::move(message)},
                                          {"logprobs", nullptr},
                                          {"finish_reason", finish_reason}}};
  o["usage"] = UsageObject(usage);
  return json::serialize(o);
}

}  // namespace sluice::api
