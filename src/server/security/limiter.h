// Limiter: per-key rate limits, concurrency, token budgets and a global
// concurrency cap, decided once per request.
//
// Per request the server calls, in order:
//   1. Admission a = limiter.Admit(key_id, limits, estimated_tokens, now);
//      estimated_tokens = prompt tokens (tokenizer count or estimate) plus
//      whatever completion allowance the server wants to reserve (0 is fine).
//   2. Send RateLimitHeaderFields(a) on the response, refused or not.
//      If !a.ok(): answer a.status (kRateLimited → 429, kUnavailable → 503)
//      with Retry-After when a.retry_after is set; stop.
//   3. Keep a.slot alive for the whole request (move it into the session's
//      request state): its destructor releases the concurrency slots, on
//      every path — success, error, timeout, client disconnect.
//   4. When the model reports usage (also for a stream that ended early or
//      was cancelled; use the tokens produced so far), call
//      limiter.Reconcile(key_id, limits, estimated_tokens, actual_tokens, now).
//
// `now` is always passed in (wall-clock time: budgets follow UTC calendar
// days and months, and the Redis limiter shares state between machines, so
// their clocks must agree to well under a second — run NTP). Tests inject it.
//
// Thread-safety: Limiter implementations are thread-safe. A Slot may be
// released on any thread and may outlive the limiter that issued it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "server/security/key_limits.h"

namespace sluice::security {

using TimePoint = std::chrono::system_clock::time_point;

// Move-only handle on concurrency slots; releases them when destroyed (or on
// Release()). An empty Slot holds nothing.
class Slot {
 public:
  Slot() = default;
  ~Slot() { Release(); }
  Slot(Slot&& other) noexcept : releases_(std::exchange(other.releases_, {})) {}
  Slot& operator=(Slot&& other) noexcept;
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // Adds a release action (run once, newest first). For limiter implementations.
  void Add(std::function<void()> release) { releases_.push_back(std::move(release)); }
  // Takes over `other`'s slots.
  void Absorb(Slot&& other);
  void Release();
  bool empty() const { return releases_.empty(); }

 private:
  std::vector<std::function<void()>> releases_;
};

// Which limit refused a request.
enum class LimitKind {
  kNone,
  kRequests,           // rpm
  kTokens,             // tpm
  kConcurrency,        // the key's max concurrent requests
  kBudget,             // the key's token budget for the period
  kGlobalConcurrency,  // the server's cap on work in flight (load shedding)
  kBackend,            // the shared limit store is unreachable (fail_closed)
};
// "rpm", "tpm", "concurrency", "budget", "global_concurrency", "backend", "none".
const char* LimitKindName(LimitKind kind);

// One limit's state after the decision, as OpenAI's headers report it.
struct LimitWindow {
  int64_t limit = 0;
  int64_t remaining = 0;
  std::chrono::milliseconds reset{0};  // until the limit is back to its initial state
};

// Windows for the limits the key has (absent = unlimited).
struct RateLimitInfo {
  std::optional<LimitWindow> requests;
  std::optional<LimitWindow> tokens;
  std::optional<LimitWindow> budget;  // remaining budget tokens; reset = end of period
};

struct Admission {
  // OK; kRateLimited with a message naming the limit (rpm, tpm, concurrency,
  // budget); kUnavailable for the global cap or an unreachable backend in
  // fail_closed mode.
  Status status;
  LimitKind refused_by = LimitKind::kNone;
  // When to retry (whole seconds, at least 1). Absent on success, and when a
  // retry cannot help (the request alone needs more tokens than the limit).
  std::optional<std::chrono::seconds> retry_after;
  RateLimitInfo info;
  Slot slot;  // held while the request runs; empty when refused

  bool ok() const { return status.ok(); }
};

class Limiter {
 public:
  virtual ~Limiter() = default;

  // Checks every limit in `limits` (0 = none) and the global cap; when all
  // pass, charges one request and `estimated_tokens`, takes the concurrency
  // slots and returns them in the Admission. Charges nothing when refused.
  // `key_id` names the counters (the server may pass "" with empty limits when
  // it runs without keys: then only the global cap applies).
  virtual Admission Admit(std::string_view key_id, const KeyLimits& limits,
                          int64_t estimated_tokens, TimePoint now) = 0;

  // Corrects the tpm bucket and the budget by `actual_tokens - estimated_tokens`
  // (either sign) after the model reported usage.
  virtual void Reconcile(std::string_view key_id, const KeyLimits& limits,
                         int64_t estimated_tokens, int64_t actual_tokens, TimePoint now) = 0;

  // Requests holding a global slot right now (a gauge for /metrics).
  virtual int64_t global_in_flight() const = 0;
};

// The global cap: at most `cap` slots at once (0 = no cap). Thread-safe; the
// slots it hands out keep its counter alive.
class ConcurrencyGate {
 public:
  explicit ConcurrencyGate(int64_t cap);
  // A slot, or nullopt when `cap` slots are taken.
  std::optional<Slot> TryAcquire();
  int64_t in_flight() const { return counter_->load(); }
  int64_t cap() const { return cap_; }

 private:
  int64_t cap_;
  std::shared_ptr<std::atomic<int64_t>> counter_;
};

// Go-style duration as OpenAI writes x-ratelimit-reset-*: "0s", "250ms", "1s",
// "1.5s", "6m0s", "1h2m3s".
std::string FormatResetDuration(std::chrono::milliseconds d);

// The response headers for `a`: x-ratelimit-{limit,remaining,reset}-{requests,tokens}
// for the limits the key has, and retry-after (seconds) when refused with one.
std::vector<std::pair<std::string, std::string>> RateLimitHeaderFields(const Admission& a);

// Builds a refusal. For implementations.
Admission Refusal(LimitKind kind, std::string message, std::optional<int64_t> retry_after_ms,
                  RateLimitInfo info);

}  // namespace sluice::security
