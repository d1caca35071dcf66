#include "server/auth.h"

#include <openssl/crypto.h>

#include <filesystem>

#include <fmt/format.h>

#include "base/log.h"
#include "server/security/keys_cli.h"
#include "server/security/local_limiter.h"
#include "server/security/redis_limiter.h"

namespace sluice::server {

namespace {

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost" ||
         host.rfind("127.", 0) == 0;
}

std::chrono::sys_seconds WallNow() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

StatusOr<std::unique_ptr<Security>> BuildSecurity(const Config& config) {
  auto sec = std::make_unique<Security>();
  sec->max_tokens_cap = config.max_tokens_cap;
  if (!config.master_key_env.empty()) {
    if (const char* m = std::getenv(config.master_key_env.c_str()); m != nullptr && *m != '\0') {
      sec->master_key = m;
      if (sec->master_key.size() < 16) {
        return Status(ErrorCode::kInvalidArgument,
                      fmt::format("${} is too short for a master key (at least 16 characters)",
                                  config.master_key_env));
      }
    }
  }
  std::string db = security::ResolveKeysDbPath(config.keys_db);
  std::error_code ec;
  if (std::filesystem::exists(db, ec) || !sec->master_key.empty()) {
    auto store = security::KeyStore::Open(db);
    if (!store.ok()) return store.status();
    auto any = (*store)->HasAnyKeys();
    if (!any.ok()) return any.status();
    sec->keys_required = *any || !sec->master_key.empty();
    sec->store = std::move(store).value();
  }
  if (!sec->keys_required) {
    if (!IsLoopback(config.listen_host) && !config.allow_unauthenticated) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("refusing to serve {} without API keys: create one with `sluice "
                                "keys create`, or pass --allow-unauthenticated",
                                config.listen_host));
    }
    if (!IsLoopback(config.listen_host)) {
      Log(LogLevel::kWarn, "serving without API keys on a non-loopback address",
          {{"host", config.listen_host}});
    }
  }
  if (config.redis_url.empty()) {
    sec->limiter = std::make_unique<security::LocalLimiter>(config.max_concurrent);
  } else {
    security::RedisLimiterOptions opts;
    opts.url = config.redis_url;
    auto mode = security::ParseRedisFailMode(config.redis_fail_mode);
    if (!mode.ok()) return mode.status();
    opts.fail_mode = *mode;
    opts.global_max_concurrent = config.max_concurrent;
    auto limiter = security::RedisLimiter::Create(opts);
    if (!limiter.ok()) return limiter.status();
    sec->limiter = std::move(limiter).value();
  }
  Log(LogLevel::kInfo, "security",
      {{"keys_required", sec->keys_required},
       {"keys_db", sec->store ? db : std::string("none")},
       {"admin_api", !sec->master_key.empty()},
       {"limiter", config.redis_url.empty() ? "in-process" : "redis"}});
  return sec;
}

Status AuthenticateRequest(const Security& security, const Request& request,
                           std::optional<security::KeyRecord>* key) {
  if (!security.keys_required) return Status::Ok();
  std::string presented = request.api_key;
  if (presented.empty()) {
    return Status(ErrorCode::kUnauthenticated,
                  "missing API key: send 'Authorization: Bearer KEY' or 'x-api-key: KEY'");
  }
  auto record = security.store->Authenticate(presented, WallNow());
  if (!record.ok()) return record.status();
  *key = std::move(record).value();
  return Status::Ok();
}

AdmittedCall::AdmittedCall(AdmittedCall&& other) noexcept
    : limiter_(other.limiter_),
      key_id_(std::move(other.key_id_)),
      limits_(other.limits_),
      estimated_tokens_(other.estimated_tokens_),
      reconciled_(other.reconciled_),
      admission_(std::move(other.admission_)) {
  other.reconciled_ = true;  // only one of the two reconciles
}

AdmittedCall::~AdmittedCall() {
  if (!reconciled_) Reconcile(estimated_tokens_);
}

void AdmittedCall::Reconcile(int64_t actual_tokens) {
  if (reconciled_ || limiter_ == nullptr) return;
  reconciled_ = true;
  limiter_->Reconcile(key_id_, limits_, estimated_tokens_, actual_tokens,
                      std::chrono::system_clock::now());
}

StatusOr<AdmittedCall> AdmitCall(const Security& security, const Request& request,
                                 const std::string& model, int64_t estimated_tokens,
                                 ResponseWriter& out, Metrics& metrics) {
  AdmittedCall call;
  if (request.key) {
    const security::KeyRecord& key = *request.key;
    if (!key.models.empty() &&
        std::find(key.models.begin(), key.models.end(), model) == key.models.end()) {
      return Status(ErrorCode::kPermissionDenied,
                    fmt::format("this API key may not use model '{}'", model));
    }
    call.key_id_ = key.id;
    call.limits_ = key.limits;
  }
  call.limiter_ = security.limiter.get();
  call.estimated_tokens_ = estimated_tokens;
  call.admission_ = security.limiter->Admit(call.key_id_, call.limits_, estimated_tokens,
                                            std::chrono::system_clock::now());
  out.AddHeaders(security::RateLimitHeaderFields(call.admission_));
  if (!call.admission_.ok()) {
    metrics.RecordRateLimited(security::LimitKindName(call.admission_.refused_by));
    return call.admission_.status;
  }
  call.reconciled_ = false;
  return call;
}

Status ApplyMaxTokensCap(const Security& security, api::Sampling* sampling) {
  if (security.max_tokens_cap <= 0) return Status::Ok();
  if (!sampling->max_tokens) {
    sampling->max_tokens = security.max_tokens_cap;
  } else if (*sampling->max_tokens > security.max_tokens_cap) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("max_tokens {} is over this gateway's limit of {}",
                              *sampling->max_tokens, security.max_tokens_cap),
                  {{{"max_tokens"}, "", "invalid_value"}});
  }
  return Status::Ok();
}

int64_t EstimatePromptTokens(const std::vector<api::Message>& messages) {
  int64_t bytes = 0;
  for (const api::Message& m : messages) bytes += static_cast<int64_t>(m.content.size()) + 16;
  return bytes / 4 + 1;
}

}  // namespace sluice::server
