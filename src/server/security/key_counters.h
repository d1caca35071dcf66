// KeyCounters: one key's limit state at an instant, and the decision rules
// over it, shared by LocalLimiter (which keeps the counters in memory) and
// RedisLimiter (whose Lua script applies the same rules and returns the
// counters). Pure functions; see token_bucket.h for the arithmetic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "server/security/key_limits.h"
#include "server/security/limiter.h"
#include "server/security/token_bucket.h"

namespace sluice::security {

struct KeyCounters {
  TokenBucket requests;  // meaningful when limits.rpm > 0
  TokenBucket tokens;    // meaningful when limits.tpm > 0
  int64_t in_flight = 0;
  int64_t budget_used = 0;  // in budget_window
  BudgetWindow budget_window;
};

struct Verdict {
  LimitKind kind = LimitKind::kNone;
  std::optional<int64_t> retry_after_ms;  // absent: the request can never fit
};

// Why admitting one request costing `estimated_tokens` would break a limit,
// or nullopt when it fits. With several limits broken, the one with the
// longest wait wins, so retrying after Retry-After has a chance. Counters
// must already be refilled to `now_ms`.
std::optional<Verdict> CheckLimits(const KeyLimits& limits, const KeyCounters& c,
                                   int64_t estimated_tokens, int64_t now_ms);

// Charges one request and `estimated_tokens` (the limits that exist).
void Charge(const KeyLimits& limits, KeyCounters& c, int64_t estimated_tokens);

// The headers' view of `c`.
RateLimitInfo InfoFor(const KeyLimits& limits, const KeyCounters& c, int64_t now_ms);

// "rate limit exceeded: 10 requests per minute", etc.
std::string RefusalMessage(const Verdict& v, const KeyLimits& limits, int64_t estimated_tokens);

int64_t ToUnixMs(TimePoint t);

}  // namespace sluice::security
