// The Lua scripts RedisLimiter runs atomically in Redis. They apply the
// rules of key_counters.cpp and token_bucket.cpp to counters stored in Redis.
#pragma once

#include "server/security/redis_client.h"

namespace sluice::security {

// KEYS: requests bucket, tokens bucket, budget counter, concurrency set.
// ARGV: now_ms, rpm, tpm, estimated_tokens, budget_tokens, budget_end_ms,
//       max_concurrent, slot_id, lease_ms.
// Returns {refused_kind, retry_after_ms (-1: never), requests_level,
//          requests_at, tokens_level, tokens_at, budget_used, in_flight}
// (refused_kind 0 = admitted and charged; else LimitKind's value).
const RedisScript& AdmitScript();

// KEYS: tokens bucket, budget counter.
// ARGV: now_ms, tpm, delta_tokens (actual - estimated), budget_tokens, budget_end_ms.
const RedisScript& ReconcileScript();

}  // namespace sluice::security
