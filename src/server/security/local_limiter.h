// LocalLimiter: the in-process Limiter. Counters live in this process's
// memory, so each sluice instance enforces the limits on its own and a
// restart forgets them (budgets included; use RedisLimiter to share and keep
// them). It is also RedisLimiter's fallback in fail_open mode.
//
// Thread-safe: one mutex per key, held for a few arithmetic operations; a
// map lookup under a second mutex finds the key's state. State is kept for
// every key id seen (bounded by the number of keys in the store).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "server/security/limiter.h"

namespace sluice::security {

class LocalLimiter : public Limiter {
 public:
  // `global_max_concurrent`: the server-wide cap on requests in flight (0 = none).
  explicit LocalLimiter(int64_t global_max_concurrent = 0);
  ~LocalLimiter() override;

  Admission Admit(std::string_view key_id, const KeyLimits& limits, int64_t estimated_tokens,
                  TimePoint now) override;
  void Reconcile(std::string_view key_id, const KeyLimits& limits, int64_t estimated_tokens,
                 int64_t actual_tokens, TimePoint now) override;
  int64_t global_in_flight() const override { return gate_.in_flight(); }

 private:
  struct KeyState;
  std::shared_ptr<KeyState> StateFor(std::string_view key_id);

  ConcurrencyGate gate_;
  std::mutex mu_;  // guards states_
  std::map<std::string, std::shared_ptr<KeyState>, std::less<>> states_;
};

// Refusal for the global cap (shared by both limiters).
Admission GlobalCapRefusal(int64_t cap);

}  // namespace sluice::security
