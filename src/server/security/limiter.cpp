#include "server/security/limiter.h"

#include <fmt/format.h>

namespace sluice::security {

Slot& Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    releases_ = std::exchange(other.releases_, {});
  }
  return *this;
}

void Slot::Absorb(Slot&& other) {
  for (auto& r : other.releases_) releases_.push_back(std::move(r));
  other.releases_.clear();
}

void Slot::Release() {
  auto releases = std::exchange(releases_, {});
  for (auto it = releases.rbegin(); it != releases.rend(); ++it) (*it)();
}

const char* LimitKindName(LimitKind kind) {
  switch (kind) {
    case LimitKind::kNone: return "none";
    case LimitKind::kRequests: return "rpm";
    case LimitKind::kTokens: return "tpm";
    case LimitKind::kConcurrency: return "concurrency";
    case LimitKind::kBudget: return "budget";
    case LimitKind::kGlobalConcurrency: return "global_concurrency";
    case LimitKind::kBackend: return "backend";
  }
  return "none";
}

ConcurrencyGate::ConcurrencyGate(int64_t cap)
    : cap_(cap), counter_(std::make_shared<std::atomic<int64_t>>(0)) {}

std::optional<Slot> ConcurrencyGate::TryAcquire() {
  int64_t n = counter_->load();
  do {
    if (cap_ > 0 && n >= cap_) return std::nullopt;
  } while (!counter_->compare_exchange_weak(n, n + 1));
  Slot slot;
  slot.Add([counter = counter_] { counter->fetch_sub(1); });
  return slot;
}

std::string FormatResetDuration(std::chrono::milliseconds d) {
  int64_t ms = std::max<int64_t>(0, d.count());
  if (ms == 0) return "0s";
  if (ms < 1000) return fmt::format("{}ms", ms);
  int64_t h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  std::string seconds = std::to_string(s);
  if (frac != 0) {
    std::string f = fmt::format("{:03}", frac);
    while (f.back() == '0') f.pop_back();
    seconds += "." + f;
  }
  if (h > 0) return fmt::format("{}h{}m{}s", h, m, seconds);
  if (m > 0) return fmt::format("{}m{}s", m, seconds);
  return seconds + "s";
}

std::vector<std::pair<std::string, std::string>> RateLimitHeaderFields(const Admission& a) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* what, const std::optional<LimitWindow>& w) {
    if (!w) return;
    out.emplace_back(fmt::format("x-ratelimit-limit-{}", what), std::to_string(w->limit));
    out.emplace_back(fmt::format("x-ratelimit-remaining-{}", what), std::to_string(w->remaining));
    out.emplace_back(fmt::format("x-ratelimit-reset-{}", what), FormatResetDuration(w->reset));
  };
  add("requests", a.info.requests);
  add("tokens", a.info.tokens);
  if (!a.ok() && a.retry_after) {
    out.emplace_back("retry-after", std::to_string(a.retry_after->count()));
  }
  return out;
}

Admission Refusal(LimitKind kind, std::string message, std::optional<int64_t> retry_after_ms,
                  RateLimitInfo info) {
  Admission a;
  ErrorCode code = kind == LimitKind::kGlobalConcurrency || kind == LimitKind::kBackend
                       ? ErrorCode::kUnavailable
                       : ErrorCode::kRateLimited;
  a.status = Status(code, std::move(message));
  a.refused_by = kind;
  if (retry_after_ms) {
    a.retry_after = std::chrono::seconds(std::max<int64_t>(1, (*retry_after_ms + 999) / 1000));
  }
  a.info = std::move(info);
  return a;
}

}  // namespace sluice::security
