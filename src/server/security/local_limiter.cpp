#include "server/security/local_limiter.h"

#include <algorithm>

#include <fmt/format.h>

#include "server/security/key_counters.h"

namespace sluice::security {

struct LocalLimiter::KeyState {
  std::mutex mu;
  bool fresh = true;  // buckets not yet initialized
  KeyCounters c;

  // Brings the counters to `now_ms` for `limits` (which may have changed
  // since the last request: a bucket never holds more than its new capacity).
  void Advance(const KeyLimits& limits, int64_t now_ms) {
    if (fresh) {
      c.requests = FullBucket(limits.rpm, now_ms);
      c.tokens = FullBucket(limits.tpm, now_ms);
      fresh = false;
    }
    if (limits.rpm > 0) c.requests = Refill(c.requests, limits.rpm, now_ms);
    if (limits.tpm > 0) c.tokens = Refill(c.tokens, limits.tpm, now_ms);
    if (limits.budget_tokens > 0) {
      BudgetWindow w = BudgetWindowAt(limits.budget_period, now_ms);
      if (w.label != c.budget_window.label) {
        c.budget_window = w;
        c.budget_used = 0;
      }
    }
  }
};

LocalLimiter::LocalLimiter(int64_t global_max_concurrent) : gate_(global_max_concurrent) {}
LocalLimiter::~LocalLimiter() = default;

std::shared_ptr<LocalLimiter::KeyState> LocalLimiter::StateFor(std::string_view key_id) {
  std::lock_guard lock(mu_);
  auto it = states_.find(key_id);
  if (it == states_.end()) {
    it = states_.emplace(std::string(key_id), std::make_shared<KeyState>()).first;
  }
  return it->second;
}

Admission GlobalCapRefusal(int64_t cap) {
  return Refusal(LimitKind::kGlobalConcurrency,
                 fmt::format("server at capacity: {} requests in flight", cap), 1000, {});
}

Admission LocalLimiter::Admit(std::string_view key_id, const KeyLimits& limits,
                              int64_t estimated_tokens, TimePoint now) {
  std::optional<Slot> global = gate_.TryAcquire();
  if (!global) return GlobalCapRefusal(gate_.cap());
  int64_t est = std::clamp<int64_t>(estimated_tokens, 0, kMaxTokensPerCall);
  int64_t now_ms = ToUnixMs(now);
  std::shared_ptr<KeyState> state = StateFor(key_id);

  std::lock_guard lock(state->mu);
  state->Advance(limits, now_ms);
  if (auto verdict = CheckLimits(limits, state->c, est, now_ms)) {
    return Refusal(verdict->kind, RefusalMessage(*verdict, limits, est), verdict->retry_after_ms,
                   InfoFor(limits, state->c, now_ms));
  }
  Charge(limits, state->c, est);
  Admission a;
  a.info = InfoFor(limits, state->c, now_ms);
  a.slot = std::move(*global);
  // The key's slot holds its state alive, so it may outlive this limiter.
  a.slot.Add([state] {
    std::lock_guard release_lock(state->mu);
    --state->c.in_flight;
  });
  return a;
}

void LocalLimiter::Reconcile(std::string_view key_id, const KeyLimits& limits,
                             int64_t estimated_tokens, int64_t actual_tokens, TimePoint now) {
  if (limits.tpm <= 0 && limits.budget_tokens <= 0) return;
  int64_t delta = std::clamp<int64_t>(actual_tokens, 0, kMaxTokensPerCall) -
                  std::clamp<int64_t>(estimated_tokens, 0, kMaxTokensPerCall);
  int64_t now_ms = ToUnixMs(now);
  std::shared_ptr<KeyState> state = StateFor(key_id);
  std::lock_guard lock(state->mu);
  state->Advance(limits, now_ms);
  if (limits.tpm > 0) {
    state->c.tokens.level =
        std::min(limits.tpm * kWindowMs, state->c.tokens.level - delta * kWindowMs);
  }
  if (limits.budget_tokens > 0) {
    state->c.budget_used = std::max<int64_t>(0, state->c.budget_used + delta);
  }
}

}  // namespace sluice::security
