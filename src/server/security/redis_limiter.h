// RedisLimiter: a Limiter whose per-key counters live in Redis, so several
// sluice processes behind a load balancer enforce one shared limit.
//
// Each Admit is one atomic Lua script (redis_scripts.cpp) applying the same
// rules as LocalLimiter. Keys are `sluice:rl:{KEY_ID}:req|tok|conc|budget:<window>`
// (the braces are a Redis Cluster hash tag: one key's counters share a slot)
// and expire on their own once idle. Concurrency is a sorted set of leases:
// a slot's destructor removes its lease, and a lease of a process that died
// expires after `slot_lease`. The global cap is per process (it protects this
// machine's work), never shared.
//
// When Redis is unreachable or errs: kFailOpen decides with an in-process
// LocalLimiter (per-instance limits), logs a warning once per outage and
// counts each such decision in fallback_count(); kFailClosed refuses with
// kUnavailable (503). Reconcile and slot release then fall back or are
// dropped (a dropped lease expires by itself).
//
// Blocking: Admit, Reconcile and a Slot's release each make one synchronous
// Redis round trip, bounded by RedisClientOptions' timeouts (50 ms by
// default; fail-fast while reconnecting). Acceptable on the server's I/O
// threads for now; an async hiredis adapter on the server's io_context is the
// upgrade path. Thread-safe; slots may outlive the limiter.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"
#include "server/security/limiter.h"
#include "server/security/local_limiter.h"
#include "server/security/redis_client.h"

namespace sluice::security {

enum class RedisFailMode { kFailOpen, kFailClosed };
// "fail_open" / "fail_closed".
StatusOr<RedisFailMode> ParseRedisFailMode(std::string_view name);

struct RedisLimiterOptions {
  std::string url = "redis://127.0.0.1:6379";
  RedisFailMode fail_mode = RedisFailMode::kFailOpen;
  RedisClientOptions client;
  std::chrono::milliseconds slot_lease{std::chrono::minutes(15)};  // longer than any request
  int64_t global_max_concurrent = 0;
  std::string key_prefix = "sluice:rl:";
};

class RedisLimiter : public Limiter {
 public:
  // Parses the URL (kInvalidArgument); does not connect: Redis may come up later.
  static StatusOr<std::unique_ptr<RedisLimiter>> Create(RedisLimiterOptions options);
  ~RedisLimiter() override;

  Admission Admit(std::string_view key_id, const KeyLimits& limits, int64_t estimated_tokens,
                  TimePoint now) override;
  void Reconcile(std::string_view key_id, const KeyLimits& limits, int64_t estimated_tokens,
                 int64_t actual_tokens, TimePoint now) override;
  int64_t global_in_flight() const override { return gate_.in_flight(); }

  // Decisions taken by the in-process fallback because Redis failed (fail_open).
  uint64_t fallback_count() const { return shared_->fallbacks.load(); }
  // Redis calls that failed (any mode, including slot releases).
  uint64_t backend_error_count() const { return shared_->errors.load(); }
  // False from a failed Redis call until the next successful one.
  bool backend_healthy() const { return shared_->healthy.load(); }

 private:
  // What slots need after the limiter is gone.
  struct Shared {
    Shared(RedisEndpoint ep, RedisClientOptions opts) : client(std::move(ep), opts) {}
    RedisClient client;
    std::atomic<uint64_t> fallbacks{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<bool> healthy{true};
    void NoteFailure(const Status& st);
    void NoteSuccess();
  };

  RedisLimiter(RedisLimiterOptions options, RedisEndpoint endpoint);
  std::string KeyName(std::string_view key_id, std::string_view what) const;

  RedisLimiterOptions options_;
  ConcurrencyGate gate_;
  std::shared_ptr<Shared> shared_;
  LocalLimiter fallback_;  // no global cap of its own: gate_ applies first
};

}  // namespace sluice::security
