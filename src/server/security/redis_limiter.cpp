#include "server/security/redis_limiter.h"

#include <algorithm>

#include "base/log.h"
#include "server/security/api_key.h"
#include "server/security/key_counters.h"
#include "server/security/redis_scripts.h"

namespace sluice::security {

StatusOr<RedisFailMode> ParseRedisFailMode(std::string_view name) {
  if (name == "fail_open") return RedisFailMode::kFailOpen;
  if (name == "fail_closed") return RedisFailMode::kFailClosed;
  return Status(ErrorCode::kInvalidArgument, "redis fail mode must be fail_open or fail_closed");
}

void RedisLimiter::Shared::NoteFailure(const Status& st) {
  errors.fetch_add(1);
  if (healthy.exchange(false)) {
    Log(LogLevel::kWarn, "rate-limit store unreachable; using the configured fail mode",
        {{"error", st.message()}});
  }
}

void RedisLimiter::Shared::NoteSuccess() {
  if (!healthy.exchange(true)) Log(LogLevel::kInfo, "rate-limit store reachable again");
}

StatusOr<std::unique_ptr<RedisLimiter>> RedisLimiter::Create(RedisLimiterOptions options) {
  auto endpoint = ParseRedisUrl(options.url);
  if (!endpoint.ok()) return endpoint.status();
  return std::unique_ptr<RedisLimiter>(new RedisLimiter(std::move(options), *endpoint));
}

RedisLimiter::RedisLimiter(RedisLimiterOptions options, RedisEndpoint endpoint)
    : options_(std::move(options)),
      gate_(options_.global_max_concurrent),
      shared_(std::make_shared<Shared>(std::move(endpoint), options_.client)),
      fallback_(0) {}

RedisLimiter::~RedisLimiter() = default;

std::string RedisLimiter::KeyName(std::string_view key_id, std::string_view what) const {
  std::string name = options_.key_prefix;
  name += '{';
  name += key_id.empty() ? std::string_view("_open") : key_id;
  name += "}:";
  name += what;
  return name;
}

namespace {

// The admit script's reply, or nullopt when it is not the expected shape.
std::optional<std::vector<int64_t>> Integers(const RedisReply& r, size_t n) {
  if (r.kind != RedisReply::Kind::kArray || r.elements.size() != n) return std::nullopt;
  std::vector<int64_t> out;
  for (const auto& e : r.elements) {
    if (e.kind != RedisReply::Kind::kInteger) return std::nullopt;
    out.push_back(e.integer);
  }
  return out;
}

}  // namespace

Admission RedisLimiter::Admit(std::string_view key_id, const KeyLimits& limits,
                              int64_t estimated_tokens, TimePoint now) {
  std::optional<Slot> global = gate_.TryAcquire();
  if (!global) return GlobalCapRefusal(gate_.cap());
  int64_t est = std::clamp<int64_t>(estimated_tokens, 0, kMaxTokensPerCall);
  int64_t now_ms = ToUnixMs(now);
  BudgetWindow window;
  if (limits.budget_tokens > 0) window = BudgetWindowAt(limits.budget_period, now_ms);
  auto slot_id = RandomBase62(16);
  std::string lease_id = slot_id.ok() ? *slot_id : std::to_string(now_ms);
  std::string conc_key = KeyName(key_id, "conc");

  auto reply = shared_->client.Eval(
      AdmitScript(),
      {KeyName(key_id, "req"), KeyName(key_id, "tok"), KeyName(key_id, "budget:" + window.label),
       conc_key},
      {std::to_string(now_ms), std::to_string(limits.rpm), std::to_string(limits.tpm),
       std::to_string(est), std::to_string(limits.budget_tokens), std::to_string(window.end_ms),
       std::to_string(limits.max_concurrent), lease_id,
       std::to_string(options_.slot_lease.count())});
  std::optional<std::vector<int64_t>> v;
  Status failure;
  if (!reply.ok()) {
    failure = reply.status();
  } else if (!(v = Integers(*reply, 8))) {
    failure = Status(ErrorCode::kUnavailable, "unexpected reply from the admit script");
  }
  if (!failure.ok()) {
    shared_->NoteFailure(failure);
    if (options_.fail_mode == RedisFailMode::kFailClosed) {
      return Refusal(LimitKind::kBackend, "rate-limit store unavailable", 1000, {});
    }
    shared_->fallbacks.fetch_add(1);
    Admission a = fallback_.Admit(key_id, limits, est, now);
    if (a.ok()) {
      global->Absorb(std::move(a.slot));
      a.slot = std::move(*global);
    }
    return a;
  }
  shared_->NoteSuccess();

  const std::vector<int64_t>& r = *v;
  KeyCounters c;
  c.requests = {r[2], r[3]};
  c.tokens = {r[4], r[5]};
  c.budget_used = r[6];
  c.in_flight = r[7];
  c.budget_window = window;
  if (r[0] != 0) {
    Verdict verdict{static_cast<LimitKind>(r[0]),
                    r[1] >= 0 ? std::optional<int64_t>(r[1]) : std::nullopt};
    return Refusal(verdict.kind, RefusalMessage(verdict, limits, est), verdict.retry_after_ms,
                   InfoFor(limits, c, now_ms));
  }
  Admission a;
  a.info = InfoFor(limits, c, now_ms);
  a.slot = std::move(*global);
  if (limits.max_concurrent > 0) {
    a.slot.Add([shared = shared_, conc_key, lease_id] {
      auto released = shared->client.Command({"ZREM", conc_key, lease_id});
      if (!released.ok()) shared->NoteFailure(released.status());  // the lease expires anyway
    });
  }
  return a;
}

void RedisLimiter::Reconcile(std::string_view key_id, const KeyLimits& limits,
                             int64_t estimated_tokens, int64_t actual_tokens, TimePoint now) {
  if (limits.tpm <= 0 && limits.budget_tokens <= 0) return;
  int64_t delta = std::clamp<int64_t>(actual_tokens, 0, kMaxTokensPerCall) -
                  std::clamp<int64_t>(estimated_tokens, 0, kMaxTokensPerCall);
  if (delta == 0) return;
  int64_t now_ms = ToUnixMs(now);
  BudgetWindow window;
  if (limits.budget_tokens > 0) window = BudgetWindowAt(limits.budget_period, now_ms);
  auto reply = shared_->client.Eval(
      ReconcileScript(), {KeyName(key_id, "tok"), KeyName(key_id, "budget:" + window.label)},
      {std::to_string(now_ms), std::to_string(limits.tpm), std::to_string(delta),
       std::to_string(limits.budget_tokens), std::to_string(window.end_ms)});
  if (reply.ok()) {
    shared_->NoteSuccess();
    return;
  }
  shared_->NoteFailure(reply.status());
  if (options_.fail_mode == RedisFailMode::kFailOpen) {
    shared_->fallbacks.fetch_add(1);
    fallback_.Reconcile(key_id, limits, estimated_tokens, actual_tokens, now);
  }
}

}  // namespace sluice::security
