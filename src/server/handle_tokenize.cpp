// POST /tokenize and POST /detokenize with the model's configured tokenizer
// (the llama.cpp server's shapes):
//   /tokenize   {"model", "content", "add_special": false, "with_pieces": false}
//               → {"tokens": [ids]}  or, with pieces, {"tokens": [{"id", "piece"}]}
//   /detokenize {"model", "tokens": [ids]} → {"content": "..."}
// A model without a tokenizer → 404; ids outside the vocabulary → 400.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/field_rules.h"
#include "api/json_body.h"
#include "server/handlers.h"
#include "tokenizer/utf8_lossy.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The body's model → its tokenizer, or the error to answer.
StatusOr<std::shared_ptr<const tokenizer::Tokenizer>> ModelTokenizer(const Gateway& gw,
                                                                      const json::object& body,
                                                                      RequestLog& log) {
  std::string model;
  if (const json::value* m = body.if_contains("model"); m != nullptr && m->is_string()) {
    model = std::string(m->get_string());
  }
  log.model = model.empty() ? gw.config.default_model : model;
  auto route = gw.router.Resolve(model);
  if (!route.ok()) return route.status();
  if (!route->tokenizer) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("model '{}' has no tokenizer configured (set `tokenizer` in its "
                              "[models] table)", route->public_model));
  }
  return route->tokenizer;
}

StatusOr<std::string> TokenizeBody(const Gateway& gw, const Request& req, RequestLog& log) {
  auto body = api::ParseJsonBody(req.body);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status(ErrorCode::kInvalidArgument, "body must be an object");
  const json::object& o = body->get_object();
  api::FieldRules rules(o, {"body"});
  auto content = rules.RequiredString("content");
  bool add_special = rules.OptionalBool("add_special").value_or(false);
  bool with_pieces = rules.OptionalBool("with_pieces").value_or(false);
  if (!rules.errors().empty()) {
    return Status(ErrorCode::kUnprocessable, "invalid request", std::move(rules.errors()));
  }
  auto tok = ModelTokenizer(gw, o, log);
  if (!tok.ok()) return tok.status();
  tokenizer::EncodeOptions opts;
  opts.add_special = add_special;
  std::vector<int32_t> ids = (*tok)->Encode(*content, opts);
  json::array tokens;
  for (int32_t id : ids) {
    if (with_pieces) {
      tokens.push_back(json::object{{"id", id},
                                    {"piece", tokenizer::Utf8Lossy((*tok)->TokenPiece(id))}});
    } else {
      tokens.emplace_back(id);
    }
  }
  log.prompt_tokens = static_cast<int64_t>(ids.size());
  return json::serialize(json::object{{"tokens", std::move(tokens)}});
}

StatusOr<std::string> DetokenizeBody(const Gateway& gw, const Request& req, RequestLog& log) {
  auto body = api::ParseJsonBody(req.body);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status(ErrorCode::kInvalidArgument, "body must be an object");
  const json::object& o = body->get_object();
  const json::value* tokens = o.if_contains("tokens");
  if (tokens == nullptr || !tokens->is_array()) {
    return Status(ErrorCode::kUnprocessable, "'tokens' must be an array of token ids",
                  {{{"body", "tokens"}, "Input should be a valid list", "list_type"}});
  }
  auto tok = ModelTokenizer(gw, o, log);
  if (!tok.ok()) return tok.status();
  std::vector<int32_t> ids;
  ids.reserve(tokens->get_array().size());
  for (const json::value& v : tokens->get_array()) {
    auto id = api::AsInteger(v);
    if (!id || *id < 0 || *id >= static_cast<int64_t>((*tok)->vocab_size())) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("token {} is not an id in this vocabulary (0..{})",
                                json::serialize(v), (*tok)->vocab_size() - 1));
    }
    ids.push_back(static_cast<int32_t>(*id));
  }
  return json::serialize(
      json::object{{"content", tokenizer::Utf8Lossy((*tok)->Decode(ids, false))}});
}

}  // namespace

asio::awaitable<void> HandleTokenize(const Gateway& gw, const Request& req, ResponseWriter& out,
                                     RequestLog& log) {
  auto body = req.path == "/tokenize" ? TokenizeBody(gw, req, log) : DetokenizeBody(gw, req, log);
  if (!body.ok()) {
    co_await SendDetailError(out, log, body.status());
    co_return;
  }
  log.status = 200;
  co_await out.Send(200, "application/json", std::move(body).value());
}

}  // namespace sluice::server
