#include "server/security/redis_scripts.h"

#include <string>

namespace sluice::security {
namespace {

// Buckets are hashes {level, at}; a missing bucket is full. Numbers are
// written with %d: Lua's default formatting keeps only 14 digits.
// Every expiry is relative (PEXPIRE), measured on the caller's clock (now):
// a budget counter lives until its window ends by the gateway's clock plus an
// hour, whatever Redis's own clock says (an absolute PEXPIREAT deleted the
// counter at once when the two clocks disagreed by more than that hour).
// See token_bucket.cpp for the arithmetic (units of 1/60000 token).
constexpr const char* kBucketLua = R"lua(
local W = 60000
local now = tonumber(ARGV[1])
local function ceil_div(a, b) if a <= 0 then return 0 end return math.ceil(a / b) end
local function load(key, limit)
  local cap = limit * W
  local v = redis.call('HMGET', key, 'level', 'at')
  local level, at = tonumber(v[1]), tonumber(v[2])
  if level == nil or at == nil then return cap, now end
  local elapsed = now - at
  if elapsed < 0 then elapsed = 0 end
  local need = ceil_div(cap - level, limit)
  if elapsed > need then elapsed = need end
  level = math.min(cap, level + elapsed * limit)
  if now > at then at = now end
  return level, at
end
local function store(key, limit, level, at)
  redis.call('HSET', key, 'level', string.format('%d', level), 'at', string.format('%d', at))
  redis.call('PEXPIRE', key, ceil_div(limit * W - level, limit) + 1000)
end
)lua";

constexpr const char* kAdmitLua = R"lua(
local rpm, tpm, est = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local budget, budget_end = tonumber(ARGV[5]), tonumber(ARGV[6])
local max_conc, slot, lease = tonumber(ARGV[7]), ARGV[8], tonumber(ARGV[9])
-- LimitKind values: 1 requests, 2 tokens, 3 concurrency, 4 budget.
local kind, retry = 0, 0
local function refuse(k, ms)
  if kind == 0 or (retry >= 0 and (ms < 0 or ms > retry)) then kind, retry = k, ms end
end
local in_flight = 0
if max_conc > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  in_flight = redis.call('ZCARD', KEYS[4])
  if in_flight >= max_conc then refuse(3, 1000) end
end
local rl, rat, tl, tat = 0, now, 0, now
if rpm > 0 then
  rl, rat = load(KEYS[1], rpm)
  local wait = ceil_div(W - rl, rpm)
  if wait > 0 then refuse(1, wait) end
end
if tpm > 0 then
  tl, tat = load(KEYS[2], tpm)
  if est > tpm then refuse(2, -1) else
    local wait = ceil_div(est * W - tl, tpm)
    if wait > 0 then refuse(2, wait) end
  end
end
local used = 0
if budget > 0 then
  used = tonumber(redis.call('GET', KEYS[3]) or '0')
  if est > budget then refuse(4, -1)
  elseif used + est > budget then refuse(4, budget_end - now) end
end
if kind == 0 then
  if rpm > 0 then rl = rl - W; store(KEYS[1], rpm, rl, rat) end
  if tpm > 0 then tl = tl - est * W; store(KEYS[2], tpm, tl, tat) end
  if budget > 0 then
    used = redis.call('INCRBY', KEYS[3], est)
    redis.call('PEXPIRE', KEYS[3], budget_end - now + 3600000)
  end
  if max_conc > 0 then
    redis.call('ZADD', KEYS[4], now + lease, slot)
    redis.call('PEXPIRE', KEYS[4], lease)
    in_flight = in_flight + 1
  end
end
return {kind, retry, rl, rat, tl, tat, used, in_flight}
)lua";

constexpr const char* kReconcileLua = R"lua(
local tpm, delta = tonumber(ARGV[2]), tonumber(ARGV[3])
local budget, budget_end = tonumber(ARGV[4]), tonumber(ARGV[5])
if tpm > 0 then
  local level, at = load(KEYS[1], tpm)
  store(KEYS[1], tpm, math.min(tpm * W, level - delta * W), at)
end
if budget > 0 and delta ~= 0 then
  if redis.call('INCRBY', KEYS[2], delta) < 0 then redis.call('SET', KEYS[2], 0) end
  redis.call('PEXPIRE', KEYS[2], budget_end - now + 3600000)
end
return 1
)lua";

}  // namespace

const RedisScript& AdmitScript() {
  static const RedisScript script(std::string(kBucketLua) + kAdmitLua);
  return script;
}

const RedisScript& ReconcileScript() {
  static const RedisScript script(std::string(kBucketLua) + kReconcileLua);
  return script;
}

}  // namespace sluice::security
