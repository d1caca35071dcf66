#include "server/security/token_bucket.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace sluice::security {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

}  // namespace

TokenBucket FullBucket(int64_t limit, int64_t now_ms) { return {limit * kWindowMs, now_ms}; }

TokenBucket Refill(TokenBucket b, int64_t limit, int64_t now_ms) {
  int64_t capacity = limit * kWindowMs;
  // Cap the elapsed time at what fills the bucket, so elapsed * limit cannot overflow.
  int64_t elapsed = std::clamp<int64_t>(now_ms - b.at_ms, 0, CeilDiv(capacity - b.level, limit));
  b.level = std::min(capacity, b.level + elapsed * limit);
  b.at_ms = std::max(b.at_ms, now_ms);
  return b;
}

int64_t WaitMs(const TokenBucket& b, int64_t limit, int64_t cost) {
  return CeilDiv(cost * kWindowMs - b.level, limit);
}

int64_t WholeTokens(const TokenBucket& b) { return b.level > 0 ? b.level / kWindowMs : 0; }

int64_t MsUntilFull(const TokenBucket& b, int64_t limit) {
  return CeilDiv(limit * kWindowMs - b.level, limit);
}

BudgetWindow BudgetWindowAt(BudgetPeriod period, int64_t now_ms) {
  using namespace std::chrono;
  sys_days day = floor<days>(sys_time<milliseconds>(milliseconds(now_ms)));
  year_month_day ymd(day);
  BudgetWindow w;
  sys_days start = day, end = day + days(1);
  if (period == BudgetPeriod::kMonth) {
    start = sys_days(ymd.year() / ymd.month() / 1);
    end = sys_days((ymd.year() / ymd.month() + months(1)) / 1);
    w.label = fmt::format("m{:04}-{:02}", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()));
  } else {
    w.label = fmt::format("d{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                          static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  }
  w.start_ms = duration_cast<milliseconds>(start.time_since_epoch()).count();
  w.end_ms = duration_cast<milliseconds>(end.time_since_epoch()).count();
  return w;
}

}  // namespace sluice::security
