// The admin API for API keys, guarded by the master key
// (`Authorization: Bearer $SLUICE_MASTER_KEY`):
//   GET    /admin/keys        → {"object":"list","data":[{id,name,models,limits,...}]}
//   POST   /admin/keys        {name, models?, rpm?, tpm?, max_concurrent?, budget_tokens?,
//                              budget_period?, expires?} → 201 {id, key, ...} (key shown once)
//   DELETE /admin/keys/{id}   → {"id":...,"revoked":true}
#include <openssl/crypto.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "api/field_rules.h"
#include "api/json_body.h"
#include "server/handlers.h"
#include "server/security/keys_cli.h"

namespace sluice::server {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

std::chrono::sys_seconds WallNow() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string IsoTime(std::chrono::sys_seconds t) {
  std::time_t tt = t.time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

json::object KeyJson(const security::KeyRecord& k) {
  json::array models;
  for (const auto& m : k.models) models.emplace_back(m);
  json::object o{{"id", k.id},
                 {"name", k.name},
                 {"models", std::move(models)},
                 {"rpm", k.limits.rpm},
                 {"tpm", k.limits.tpm},
                 {"max_concurrent", k.limits.max_concurrent},
                 {"budget_tokens", k.limits.budget_tokens},
                 {"budget_period", security::BudgetPeriodName(k.limits.budget_period)},
                 {"created_at", IsoTime(k.created_at)}};
  o["expires_at"] = k.expires_at ? json::value(IsoTime(*k.expires_at)) : json::value(nullptr);
  o["revoked_at"] = k.revoked_at ? json::value(IsoTime(*k.revoked_at)) : json::value(nullptr);
  return o;
}

Status CheckMasterKey(const Security& sec, const Request& req) {
  if (sec.master_key.empty() || sec.store == nullptr) {
    return Status(ErrorCode::kNotFound,
                  "the admin API is disabled: set the master key variable ($SLUICE_MASTER_KEY)");
  }
  if (req.api_key.size() != sec.master_key.size() ||
      CRYPTO_memcmp(req.api_key.data(), sec.master_key.data(), req.api_key.size()) != 0) {
    return Status(ErrorCode::kUnauthenticated, "admin API: invalid or missing master key");
  }
  return Status::Ok();
}

StatusOr<security::KeySpec> ParseKeySpec(const std::string& body_text) {
  auto body = api::ParseJsonBody(body_text);
  if (!body.ok()) return body.status();
  if (!body->is_object()) return Status(ErrorCode::kInvalidArgument, "body must be an object");
  const json::object& o = body->get_object();
  api::FieldRules rules(o, {"body"});
  security::KeySpec spec;
  auto name = rules.RequiredString("name", 1);
  constexpr int64_t kMax = int64_t{1} << 40;
  spec.limits.rpm = rules.OptionalInteger("rpm", 0, kMax).value_or(0);
  spec.limits.tpm = rules.OptionalInteger("tpm", 0, kMax).value_or(0);
  spec.limits.max_concurrent = rules.OptionalInteger("max_concurrent", 0, kMax).value_or(0);
  spec.limits.budget_tokens = rules.OptionalInteger("budget_tokens", 0, kMax).value_or(0);
  if (auto period = rules.OptionalString("budget_period")) {
    auto p = security::ParseBudgetPeriod(*period);
    if (!p) {
      rules.Add("budget_period", "must be \"day\" or \"month\"", "enum");
    } else {
      spec.limits.budget_period = *p;
    }
  }
  if (auto expires = rules.OptionalString("expires")) {
    auto t = security::ParseExpiry(*expires);
    if (!t.ok()) {
      rules.Add("expires", t.status().message(), "datetime");
    } else {
      spec.expires_at = *t;
    }
  }
  if (const json::value* models = o.if_contains("models"); models && !models->is_null()) {
    if (!models->is_array()) {
      rules.Add("models", "must be an array of model names", "list_type");
    } else {
      for (const json::value& m : models->get_array()) {
        if (!m.is_string()) {
          rules.Add("models", "must be an array of model names", "list_type");
          break;
        }
        spec.models.emplace_back(m.get_string());
      }
    }
  }
  if (!rules.errors().empty()) {
    return Status(ErrorCode::kUnprocessable, "invalid key specification",
                  std::move(rules.errors()));
  }
  spec.name = std::move(*name);
  return spec;
}

}  // namespace

asio::awaitable<void> HandleAdminKeys(const Gateway& gw, const Request& req, ResponseWriter& out,
                                      RequestLog& log) {
  const Security& sec = gw.security;
  if (Status s = CheckMasterKey(sec, req); !s.ok()) {
    co_await SendDetailError(out, log, s);
    co_return;
  }
  log.key_name = "admin";
  std::string body;
  int status = 200;
  if (req.path == "/admin/keys" && req.method == "GET") {
    auto keys = sec.store->List();
    if (!keys.ok()) {
      co_await SendDetailError(out, log, keys.status());
      co_return;
    }
    json::array data;
    for (const auto& k : *keys) data.push_back(KeyJson(k));
    body = json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}});
  } else if (req.path == "/admin/keys" && req.method == "POST") {
    auto spec = ParseKeySpec(req.body);
    if (!spec.ok()) {
      co_await SendDetailError(out, log, spec.status());
      co_return;
    }
    auto created = sec.store->Create(*spec, WallNow());
    if (!created.ok()) {
      co_await SendDetailError(out, log, created.status());
      co_return;
    }
    status = 201;
    body = json::serialize(json::object{{"id", created->id}, {"key", created->plaintext},
                                        {"name", spec->name}});
  } else if (req.path.rfind("/admin/keys/", 0) == 0 && req.method == "DELETE") {
    std::string id = req.path.substr(std::string_view("/admin/keys/").size());
    if (Status s = sec.store->Revoke(id, WallNow()); !s.ok()) {
      co_await SendDetailError(out, log, s);
      co_return;
    }
    body = json::serialize(json::object{{"id", id}, {"revoked", true}});
  } else {
    Status error(ErrorCode::kNotFound, "no such admin route: " + req.method + " " + req.path);
    co_await SendDetailError(out, log, error);
    co_return;
  }
  log.status = status;
  co_await out.Send(status, "application/json", std::move(body));
}

}  // namespace sluice::server
