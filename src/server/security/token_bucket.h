// The arithmetic shared by both limiters: a per-minute token bucket and the
// calendar window of a token budget. Pure functions on plain values; the
// Redis limiter's Lua scripts (redis_scripts.cpp) mirror them line by line.
//
// A bucket for a limit of L per minute holds up to L tokens and refills
// continuously, L tokens per 60 s (the token-bucket form of GCRA with a burst
// of L). To keep the arithmetic exact in integers, the level is counted in
// units of 1/60000 token: one millisecond refills exactly L units, one token
// costs kWindowMs units. The level may go negative when usage reported after
// a call exceeds its estimate (debt); the bucket then admits nothing until it
// has refilled past zero.
#pragma once

#include <cstdint>
#include <string>

#include "server/security/key_limits.h"

namespace sluice::security {

inline constexpr int64_t kWindowMs = 60'000;
// Estimates and usage are clamped to this so unit arithmetic stays far from
// int64 (and Lua's 2^53) limits: 1e9 tokens * 60000 units = 6e13.
inline constexpr int64_t kMaxTokensPerCall = 1'000'000'000;

struct TokenBucket {
  int64_t level = 0;  // units (1/kWindowMs token); may be negative
  int64_t at_ms = 0;  // Unix ms when `level` was current
};

// A full bucket: what a key that has not been used for a minute has.
TokenBucket FullBucket(int64_t limit, int64_t now_ms);
// `b` refilled up to `now_ms` (never past capacity; a clock that went
// backwards refills nothing).
TokenBucket Refill(TokenBucket b, int64_t limit, int64_t now_ms);
// Milliseconds until `b` holds `cost` tokens (0 if it already does).
int64_t WaitMs(const TokenBucket& b, int64_t limit, int64_t cost);
// Whole tokens available now (0 when in debt).
int64_t WholeTokens(const TokenBucket& b);
// Milliseconds until `b` is full again (OpenAI's "reset").
int64_t MsUntilFull(const TokenBucket& b, int64_t limit);

// The budget window containing `now_ms`, in UTC.
struct BudgetWindow {
  int64_t start_ms = 0;
  int64_t end_ms = 0;  // exclusive
  std::string label;   // "d2026-11-24" or "m2026-11": names the counter
};
BudgetWindow BudgetWindowAt(BudgetPeriod period, int64_t now_ms);

}  // namespace sluice::security
