#include "server/security/key_counters.h"

#include <algorithm>

#include <fmt/format.h>

namespace sluice::security {

int64_t ToUnixMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::optional<Verdict> CheckLimits(const KeyLimits& limits, const KeyCounters& c,
                                   int64_t estimated_tokens, int64_t now_ms) {
  std::optional<Verdict> worst;
  auto refuse = [&](LimitKind kind, std::optional<int64_t> retry_ms) {
    bool longer = !worst || (worst->retry_after_ms && (!retry_ms || *retry_ms > *worst->retry_after_ms));
    if (longer) worst = Verdict{kind, retry_ms};
  };
  // A finished request frees the slot at an unknown time; 1 s is a polite guess.
  if (limits.max_concurrent > 0 && c.in_flight >= limits.max_concurrent) {
    refuse(LimitKind::kConcurrency, 1000);
  }
  if (limits.rpm > 0 && WaitMs(c.requests, limits.rpm, 1) > 0) {
    refuse(LimitKind::kRequests, WaitMs(c.requests, limits.rpm, 1));
  }
  if (limits.tpm > 0) {
    if (estimated_tokens > limits.tpm) {
      refuse(LimitKind::kTokens, std::nullopt);
    } else if (int64_t wait = WaitMs(c.tokens, limits.tpm, estimated_tokens); wait > 0) {
      refuse(LimitKind::kTokens, wait);  // also when in debt with an estimate of 0
    }
  }
  if (limits.budget_tokens > 0) {
    if (estimated_tokens > limits.budget_tokens) {
      refuse(LimitKind::kBudget, std::nullopt);
    } else if (c.budget_used + estimated_tokens > limits.budget_tokens) {
      refuse(LimitKind::kBudget, c.budget_window.end_ms - now_ms);
    }
  }
  return worst;
}

void Charge(const KeyLimits& limits, KeyCounters& c, int64_t estimated_tokens) {
  if (limits.rpm > 0) c.requests.level -= kWindowMs;
  if (limits.tpm > 0) c.tokens.level -= estimated_tokens * kWindowMs;
  if (limits.budget_tokens > 0) c.budget_used += estimated_tokens;
  ++c.in_flight;
}

RateLimitInfo InfoFor(const KeyLimits& limits, const KeyCounters& c, int64_t now_ms) {
  RateLimitInfo info;
  using std::chrono::milliseconds;
  if (limits.rpm > 0) {
    info.requests = LimitWindow{limits.rpm, WholeTokens(c.requests),
                                milliseconds(MsUntilFull(c.requests, limits.rpm))};
  }
  if (limits.tpm > 0) {
    info.tokens = LimitWindow{limits.tpm, WholeTokens(c.tokens),
                              milliseconds(MsUntilFull(c.tokens, limits.tpm))};
  }
  if (limits.budget_tokens > 0) {
    info.budget = LimitWindow{limits.budget_tokens,
                              std::max<int64_t>(0, limits.budget_tokens - c.budget_used),
                              milliseconds(c.budget_window.end_ms - now_ms)};
  }
  return info;
}

std::string RefusalMessage(const Verdict& v, const KeyLimits& limits, int64_t estimated_tokens) {
  switch (v.kind) {
    case LimitKind::kRequests:
      return fmt::format("rate limit exceeded: {} requests per minute (rpm)", limits.rpm);
    case LimitKind::kTokens:
      if (!v.retry_after_ms) {
        return fmt::format("request too large: needs {} tokens, over the limit of {} tokens per "
                           "minute (tpm)", estimated_tokens, limits.tpm);
      }
      return fmt::format("rate limit exceeded: {} tokens per minute (tpm)", limits.tpm);
    case LimitKind::kConcurrency:
      return fmt::format("rate limit exceeded: {} concurrent requests (concurrency)",
                         limits.max_concurrent);
    case LimitKind::kBudget:
      if (!v.retry_after_ms) {
        return fmt::format("request too large: needs {} tokens, over the token budget of {} per "
                           "{} (budget)", estimated_tokens, limits.budget_tokens,
                           BudgetPeriodName(limits.budget_period));
      }
      return fmt::format("token budget exhausted: {} tokens per {} (budget)", limits.budget_tokens,
                         BudgetPeriodName(limits.budget_period));
    default:
      return "rate limit exceeded";
  }
}

}  // namespace sluice::security
