// GET /health, GET /ready, GET /v1/models.
#include <algorithm>
#include <chrono>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "server/handlers.h"

namespace sluice::server {

namespace json = boost::json;
namespace asio = boost::asio;

asio::awaitable<void> HandleHealth(ResponseWriter& out, RequestLog& log) {
  log.status = 200;
  co_await out.Send(200, "application/json", R"({"status":"healthy"})");
}

asio::awaitable<void> HandleReady(const Gateway& gw, ResponseWriter& out, RequestLog& log) {
  json::array checks;
  bool any_ready = false;
  for (const auto& provider : gw.router.providers()) {
    Status s = co_await provider->Probe();
    json::object check{{"provider", provider->name()}, {"kind", provider->kind()},
                       {"ready", s.ok()}};
    if (!s.ok()) check["reason"] = s.message();
    checks.push_back(std::move(check));
    if (s.ok()) {
      any_ready = true;
      break;  // one answering provider is enough
    }
  }
  log.status = any_ready ? 200 : 503;
  json::object body{{"status", any_ready ? "ready" : "not_ready"}, {"providers", checks}};
  if (!any_ready) body["reason"] = "no configured provider answered its probe";
  co_await out.Send(log.status, "application/json", json::serialize(body));
}

asio::awaitable<void> HandleMetrics(const Gateway& gw, ResponseWriter& out, RequestLog& log) {
  log.status = 200;
  std::string body = gw.metrics.RenderPrometheus();
  co_await out.Send(200, "text/plain; version=0.0.4; charset=utf-8", std::move(body));
}

ProviderCallScope::ProviderCallScope(const Gateway& gw, RequestLog& log)
    : gw_(gw), log_(log), begin_(std::chrono::steady_clock::now()) {
  gw_.metrics.StreamStarted();
}

ProviderCallScope::~ProviderCallScope() {
  log_.upstream_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin_).count();
  gw_.metrics.StreamEnded();
}

void ProviderCallScope::NoteToken(RequestLog& log) {
  if (log.first_token_ms >= 0) return;
  log.first_token_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - log.start)
          .count();
}

void ProviderCallScope::NoteError(const Gateway& gw, const RequestLog& log, const Status& error) {
  gw.metrics.RecordUpstreamError(log.provider, ErrorCodeName(error.code()));
}

asio::awaitable<void> HandleModels(const Gateway& gw, const Request& req, ResponseWriter& out,
                                   RequestLog& log) {
  const int64_t created =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch()).count();
  json::array data;
  for (const std::string& name : gw.router.ModelNames()) {
    if (req.key && !req.key->models.empty() &&
        std::find(req.key->models.begin(), req.key->models.end(), name) == req.key->models.end()) {
      continue;  // a scoped key sees only its models
    }
    auto route = gw.router.Resolve(name);
    std::string owner = route.ok() ? route->provider->name() : "sluice";
    data.push_back(json::object{
        {"id", name}, {"object", "model"}, {"created", created}, {"owned_by", owner}});
  }
  log.status = 200;
  std::string body = json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
  co_await out.Send(200, "application/json", std::move(body));
}

}  // namespace sluice::server
