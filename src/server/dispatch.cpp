#include <algorithm>
#include <cctype>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/openai_codec.h"
#include "server/handlers.h"
#include "server/http_errors.h"

namespace sluice::server {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

bool IsJsonContentType(std::string_view ct) {
  std::string lower(ct.substr(0, ct.find(';')));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

}  // namespace

asio::awaitable<void> SendDetailError(ResponseWriter& out, RequestLog& log, const Status& status) {
  int code = HttpStatusFor(status.code());
  log.status = code;
  log.error = ErrorCodeName(status.code());
  json::value detail;
  if (status.details().empty()) {
    detail = status.message();
  } else {
    json::array list;
    for (const ErrorDetail& d : status.details()) {
      json::array loc;
      for (const std::string& l : d.loc) loc.emplace_back(l);
      list.push_back(json::object{{"loc", std::move(loc)}, {"msg", d.msg}, {"type", d.type}});
    }
    detail = std::move(list);
  }
  // Built before the co_await: GCC 12 mishandles braced temporaries in co_await expressions.
  std::string body = json::serialize(json::object{{"detail", detail}});
  co_await out.Send(code, "application/json", std::move(body));
}

asio::awaitable<void> SendOpenAIError(ResponseWriter& out, RequestLog& log, const Status& status) {
  int code = HttpStatusFor(status.code());
  log.status = code;
  log.error = ErrorCodeName(status.code());
  co_await out.Send(code, "application/json", api::OpenAIErrorBody(status, code));
}

asio::awaitable<void> Dispatch(const Gateway& gw, Request& req, ResponseWriter& out,
                               RequestLog& log) {
  const std::string& path = req.path;
  const bool openai = path.rfind("/v1/", 0) == 0;
  auto fail = [&](Status s) -> asio::awaitable<void> {
    if (openai) {
      co_await SendOpenAIError(out, log, s);
    } else {
      co_await SendDetailError(out, log, s);
    }
  };
  struct RouteSpec {
    const char* path;
    const char* method;
  };
  static constexpr RouteSpec kRoutes[] = {{"/health", "GET"},
                                          {"/ready", "GET"},
                                          {"/v1/models", "GET"},
                                          {"/metrics", "GET"},
                                          {"/generate/structured", "POST"},
                                          {"/v1/chat/completions", "POST"},
                                          {"/v1/embeddings", "POST"},
                                          {"/tokenize", "POST"},
                                          {"/detokenize", "POST"}};
  if (path == "/admin/keys" || path.rfind("/admin/keys/", 0) == 0) {
    log.route = "/admin/keys";
    co_await HandleAdminKeys(gw, req, out, log);
    co_return;
  }
  const RouteSpec* route = nullptr;
  for (const RouteSpec& r : kRoutes) {
    if (path == r.path) route = &r;
  }
  if (route == nullptr) {
    co_await fail(Status(ErrorCode::kNotFound, "Not Found: " + path));
    co_return;
  }
  log.route = route->path;
  if (req.method != route->method && !(req.method == "HEAD" && std::string_view(route->method) == "GET")) {
    log.status = 405;
    Headers allow{{"Allow", route->method}};
    co_await out.Send(405, "application/json", R"({"detail":"Method Not Allowed"})",
                      std::move(allow));
    co_return;
  }
  if (req.method == "POST" && !IsJsonContentType(req.content_type)) {
    co_await fail(Status(ErrorCode::kUnsupportedMediaType,
                         "Content-Type must be application/json, got '" + req.content_type + "'"));
    co_return;
  }
  const bool model_route = openai || path == "/generate/structured" || path == "/tokenize" ||
                           path == "/detokenize";
  if (model_route) {
    Status auth = AuthenticateRequest(gw.security, req, &req.key);
    if (!auth.ok()) {
      co_await fail(auth);
      co_return;
    }
    if (req.key) log.key_name = req.key->name;
  }
  if (path == "/health") {
    co_await HandleHealth(out, log);
  } else if (path == "/ready") {
    co_await HandleReady(gw, out, log);
  } else if (path == "/v1/models") {
    co_await HandleModels(gw, req, out, log);
  } else if (path == "/metrics") {
    co_await HandleMetrics(gw, out, log);
  } else if (path == "/tokenize" || path == "/detokenize") {
    co_await HandleTokenize(gw, req, out, log);
  } else if (path == "/v1/embeddings") {
    co_await HandleEmbeddings(gw, req, out, log);
  } else if (path == "/generate/structured") {
    co_await HandleStructured(gw, req, out, log);
  } else {
    co_await HandleChatCompletions(gw, req, out, log);
  }
}

}  // namespace sluice::server
