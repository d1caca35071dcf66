// POST /v1/embeddings: OpenAI's embeddings endpoint, served by an embedded
// model (mean-pooled, L2-normalized final hidden states; Model::Embed on the
// engine's compute threads).
//
//   {"model": "...", "input": "text" | ["text", ...],
//    "encoding_format": "float" (default) | "base64"}
//   → {"object": "list", "data": [{"object": "embedding", "index": i,
//       "embedding": [floats] | "base64 of little-endian float32"}],
//      "model": "...", "usage": {"prompt_tokens": n, "total_tokens": n}}
//
// Token-id inputs are refused (400), as is a model served by an upstream
// (400: only embedded models embed here). Admission and limits are those of
// the chat endpoints, settled on the real token count.
#include <bit>
#include <cstring>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/json_body.h"
#include "providers/embedded_provider.h"
#include "server/handlers.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

struct EmbeddingsRequest {
  std::string model;
  std::vector<std::string> inputs;
  bool base64 = false;
};

Status Invalid(std::string msg) { return Status(ErrorCode::kInvalidArgument, std::move(msg)); }

StatusOr<EmbeddingsRequest> ParseEmbeddingsRequest(const std::string& body_text) {
  auto body = api::ParseJsonBody(body_text);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Invalid("the body must be a JSON object");
  const json::object& o = body->get_object();
  EmbeddingsRequest r;
  if (const json::value* m = o.if_contains("model"); m != nullptr && !m->is_null()) {
    if (!m->is_string()) return Invalid("'model' must be a string");
    r.model = std::string(m->get_string());
  }
  const json::value* input = o.if_contains("input");
  if (input == nullptr) return Invalid("'input' is required: a string or an array of strings");
  if (input->is_string()) {
    r.inputs.emplace_back(input->get_string());
  } else if (input->is_array()) {
    const json::array& a = input->get_array();
    if (a.empty()) return Invalid("'input' must not be an empty array");
    if (a.size() > 2048) return Invalid("'input' may hold at most 2048 strings");
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) {
        return Invalid(fmt::format("'input[{}]' must be a string (token-id inputs are not "
                                   "supported)", i));
      }
      r.inputs.emplace_back(a[i].get_string());
    }
  } else {
    return Invalid("'input' must be a string or an array of strings");
  }
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    if (r.inputs[i].empty()) return Invalid(fmt::format("'input[{}]' must not be empty", i));
  }
  if (const json::value* f = o.if_contains("encoding_format"); f != nullptr && !f->is_null()) {
    if (!f->is_string() || (f->get_string() != "float" && f->get_string() != "base64")) {
      return Invalid("'encoding_format' must be \"float\" or \"base64\"");
    }
    r.base64 = f->get_string() == "base64";
  }
  if (const json::value* d = o.if_contains("dimensions"); d != nullptr && !d->is_null()) {
    return Invalid("'dimensions' is not supported: embedded models return their full width");
  }
  return r;
}

std::string Base64(const unsigned char* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (i + 1 < n) v |= uint32_t{data[i + 1]} << 8;
    if (i + 2 < n) v |= data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < n ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// Little-endian float32 bytes, base64-encoded (what OpenAI's SDKs decode).
std::string FloatsBase64(const std::vector<float>& v) {
  std::vector<unsigned char> bytes(v.size() * 4);
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(v[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<unsigned char>(bits >> (8 * b));
  }
  return Base64(bytes.data(), bytes.size());
}

std::string EncodeResponse(const providers::Embeddings& e, const std::string& model, bool base64) {
  json::array data;
  for (size_t i = 0; i < e.vectors.size(); ++i) {
    json::object item;
    item["object"] = "embedding";
    item["index"] = i;
    if (base64) {
      item["embedding"] = FloatsBase64(e.vectors[i]);
    } else {
      json::array floats;
      floats.reserve(e.vectors[i].size());
      for (float f : e.vectors[i]) floats.emplace_back(static_cast<double>(f));
      item["embedding"] = std::move(floats);
    }
    data.push_back(std::move(item));
  }
  json::object usage{{"prompt_tokens", e.prompt_tokens}, {"total_tokens", e.prompt_tokens}};
  json::object out{{"object", "list"}, {"data", std::move(data)}, {"model", model},
                   {"usage", std::move(usage)}};
  return json::serialize(out);
}

}  // namespace

asio::awaitable<void> HandleEmbeddings(const Gateway& gw, const Request& http_req,
                                       ResponseWriter& out, RequestLog& log) {
  auto req = ParseEmbeddingsRequest(http_req.body);
  if (!req.ok()) {
    co_await SendOpenAIError(out, log, req.status());
    co_return;
  }
  // Routing and admission as for a chat call whose messages are the inputs.
  api::ChatRequest as_chat;
  as_chat.id = http_req.request_id;
  as_chat.model = req->model;
  for (const std::string& text : req->inputs) as_chat.messages.push_back({"user", text});
  auto call = PrepareCall(gw, http_req, as_chat, out, log);
  if (!call.ok()) {
    co_await SendOpenAIError(out, log, call.status());
    co_return;
  }
  auto* embedded = dynamic_cast<providers::EmbeddedProvider*>(call->route.provider);
  if (embedded == nullptr) {
    Status s = Invalid(fmt::format("model '{}' is served by provider '{}' (kind {}); embeddings "
                                   "need a kind = \"embedded\" provider",
                                   call->route.public_model, call->route.provider->name(),
                                   call->route.provider->kind()));
    co_await SendOpenAIError(out, log, s);
    co_return;
  }
  StatusOr<providers::Embeddings> result(Status(ErrorCode::kInternal, "not run"));
  {
    ProviderCallScope scope(gw, log);
    result = co_await embedded->Embed(std::move(req->inputs));
  }
  if (!result.ok()) {
    call->admission.Reconcile(0);
    co_await SendOpenAIError(out, log, result.status());
    co_return;
  }
  log.prompt_tokens = result->prompt_tokens;
  log.completion_tokens = 0;
  call->admission.Reconcile(result->prompt_tokens);
  std::string body = EncodeResponse(*result, call->route.public_model, req->base64);
  log.status = 200;
  co_await out.Send(200, "application/json", std::move(body));
}

}  // namespace sluice::server
