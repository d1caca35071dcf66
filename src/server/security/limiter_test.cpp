// LocalLimiter and the shared limit arithmetic. Time is injected: no sleeps.
#include "server/security/local_limiter.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "server/security/token_bucket.h"

namespace sluice::security {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-11-24T18:00:00Z
const TimePoint kT0{seconds(1'795'543'200)};

std::map<std::string, std::string> Headers(const Admission& a) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : RateLimitHeaderFields(a)) out[k] = v;
  return out;
}

KeyLimits Rpm(int64_t n) { return {n, 0, 0, 0, BudgetPeriod::kNone}; }
KeyLimits Tpm(int64_t n) { return {0, n, 0, 0, BudgetPeriod::kNone}; }

TEST(FormatResetDuration, MatchesOpenAIStyle) {
  EXPECT_EQ(FormatResetDuration(milliseconds(0)), "0s");
  EXPECT_EQ(FormatResetDuration(milliseconds(17)), "17ms");
  EXPECT_EQ(FormatResetDuration(milliseconds(1000)), "1s");
  EXPECT_EQ(FormatResetDuration(milliseconds(1500)), "1.5s");
  EXPECT_EQ(FormatResetDuration(milliseconds(6 * 60'000)), "6m0s");
  EXPECT_EQ(FormatResetDuration(milliseconds(3'723'000)), "1h2m3s");
  EXPECT_EQ(FormatResetDuration(milliseconds(-5)), "0s");
}

TEST(TokenBucket, RefillIsExactAndCapped) {
  TokenBucket b = FullBucket(3, 0);
  EXPECT_EQ(WholeTokens(b), 3);
  b.level -= 3 * kWindowMs;
  EXPECT_EQ(WaitMs(b, 3, 1), 20'000);  // 3 per minute: one every 20 s
  EXPECT_EQ(WholeTokens(Refill(b, 3, 19'999)), 0);
  EXPECT_EQ(WholeTokens(Refill(b, 3, 20'000)), 1);
  EXPECT_EQ(Refill(b, 3, 10'000'000).level, 3 * kWindowMs);
  EXPECT_EQ(MsUntilFull(b, 3), 60'000);
  // A clock that goes backwards refills nothing.
  TokenBucket later = Refill(b, 3, 30'000);
  EXPECT_EQ(Refill(later, 3, 1'000).level, later.level);
}

TEST(TokenBucket, BudgetWindowsFollowUtcCalendar) {
  int64_t t = 1'795'543'200'000;  // 2026-11-24T18:00:00Z
  BudgetWindow day = BudgetWindowAt(BudgetPeriod::kDay, t);
  EXPECT_EQ(day.label, "d2026-11-24");
  EXPECT_EQ(day.start_ms, 1'795'478'400'000);  // date -ud 2026-11-24 +%s
  EXPECT_EQ(day.end_ms, 1'795'564'800'000);
  BudgetWindow month = BudgetWindowAt(BudgetPeriod::kMonth, t);
  EXPECT_EQ(month.label, "m2026-11");
  EXPECT_EQ(month.start_ms, 1'793'491'200'000);  // date -ud 2026-11-01 +%s
  EXPECT_EQ(month.end_ms, 1'796'083'200'000);    // date -ud 2026-12-01 +%s
  EXPECT_EQ(BudgetWindowAt(BudgetPeriod::kMonth, month.end_ms).label, "m2026-12");
  EXPECT_EQ(BudgetWindowAt(BudgetPeriod::kMonth, month.end_ms - 1).label, "m2026-11");
}

TEST(LocalLimiter, RpmTripsAtTheLimitWithHeadersAndRetryAfter) {
  LocalLimiter limiter;
  for (int i = 0; i < 5; ++i) {
    Admission a = limiter.Admit("k", Rpm(5), 0, kT0);
    ASSERT_TRUE(a.ok()) << i;
    auto h = Headers(a);
    EXPECT_EQ(h["x-ratelimit-limit-requests"], "5");
    EXPECT_EQ(h["x-ratelimit-remaining-requests"], std::to_string(4 - i));
    EXPECT_EQ(h["x-ratelimit-reset-requests"], FormatResetDuration(milliseconds(12'000 * (i + 1))));
    EXPECT_FALSE(h.count("retry-after"));
    EXPECT_FALSE(h.count("x-ratelimit-limit-tokens"));
  }
  Admission refused = limiter.Admit("k", Rpm(5), 0, kT0);
  EXPECT_EQ(refused.status.code(), ErrorCode::kRateLimited);
  EXPECT_EQ(refused.refused_by, LimitKind::kRequests);
  EXPECT_NE(refused.status.message().find("rpm"), std::string::npos);
  EXPECT_EQ(refused.retry_after, seconds(12));
  auto h = Headers(refused);
  EXPECT_EQ(h["retry-after"], "12");
  EXPECT_EQ(h["x-ratelimit-remaining-requests"], "0");
  EXPECT_EQ(h["x-ratelimit-reset-requests"], "1m0s");
  EXPECT_TRUE(refused.slot.empty());
  // Another key has its own bucket; after 12 s one more request fits.
  EXPECT_TRUE(limiter.Admit("other", Rpm(5), 0, kT0).ok());
  EXPECT_FALSE(limiter.Admit("k", Rpm(5), 0, kT0 + milliseconds(11'999)).ok());
  EXPECT_TRUE(limiter.Admit("k", Rpm(5), 0, kT0 + seconds(12)).ok());
  EXPECT_FALSE(limiter.Admit("k", Rpm(5), 0, kT0 + seconds(12)).ok());
}

TEST(LocalLimiter, TpmTripsOnEstimatesAndRefusesOversizedRequestsForGood) {
  LocalLimiter limiter;
  Admission a = limiter.Admit("k", Tpm(1000), 600, kT0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Headers(a)["x-ratelimit-remaining-tokens"], "400");
  EXPECT_EQ(Headers(a)["x-ratelimit-reset-tokens"], "36s");
  EXPECT_TRUE(limiter.Admit("k", Tpm(1000), 400, kT0).ok());
  Admission refused = limiter.Admit("k", Tpm(1000), 1, kT0);
  EXPECT_EQ(refused.refused_by, LimitKind::kTokens);
  EXPECT_NE(refused.status.message().find("tpm"), std::string::npos);
  EXPECT_EQ(refused.retry_after, seconds(1));  // 60 ms for one token, rounded up to 1 s
  // 1000 tokens per minute: 300 tokens take 18 s to refill.
  EXPECT_EQ(limiter.Admit("k", Tpm(1000), 300, kT0).retry_after, seconds(18));

  Admission too_big = limiter.Admit("fresh", Tpm(1000), 1001, kT0);
  EXPECT_EQ(too_big.status.code(), ErrorCode::kRateLimited);
  EXPECT_FALSE(too_big.retry_after);
  EXPECT_FALSE(Headers(too_big).count("retry-after"));
}

TEST(LocalLimiter, ReconcileCorrectsUnderAndOverEstimates) {
  LocalLimiter limiter;
  KeyLimits l = Tpm(1000);
  ASSERT_TRUE(limiter.Admit("k", l, 100, kT0).ok());
  // The model used 900 tokens, not 100: only 100 remain.
  limiter.Reconcile("k", l, 100, 900, kT0);
  EXPECT_FALSE(limiter.Admit("k", l, 101, kT0).ok());
  Admission a = limiter.Admit("k", l, 100, kT0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(Headers(a)["x-ratelimit-remaining-tokens"], "0");
  limiter.Reconcile("k", l, 0, 500, kT0);  // a stream that overran: debt
  Admission in_debt = limiter.Admit("k", l, 0, kT0);
  EXPECT_EQ(in_debt.refused_by, LimitKind::kTokens);
  EXPECT_EQ(in_debt.retry_after, seconds(30));
  limiter.Reconcile("k", l, 600, 0, kT0);  // a call estimated 600 and used nothing
  a = limiter.Admit("k", l, 100, kT0);
  ASSERT_TRUE(a.ok()) << a.status.ToString();
  EXPECT_EQ(Headers(a)["x-ratelimit-remaining-tokens"], "0");
  // Credit never exceeds capacity.
  limiter.Reconcile("k", l, 1'000'000, 0, kT0);
  EXPECT_EQ(Headers(limiter.Admit("k", l, 0, kT0))["x-ratelimit-remaining-tokens"], "1000");
}

TEST(LocalLimiter, ConcurrencySlotsAreReleasedOnDestruction) {
  LocalLimiter limiter;
  KeyLimits l{0, 0, 2, 0, BudgetPeriod::kNone};
  std::optional<Admission> a(limiter.Admit("k", l, 0, kT0));
  Admission b = limiter.Admit("k", l, 0, kT0);
  ASSERT_TRUE(a->ok() && b.ok());
  Admission c = limiter.Admit("k", l, 0, kT0);
  EXPECT_EQ(c.refused_by, LimitKind::kConcurrency);
  EXPECT_NE(c.status.message().find("concurrency"), std::string::npos);
  EXPECT_EQ(c.retry_after, seconds(1));
  a.reset();  // the request ended (any path): its slot goes back
  Admission d = limiter.Admit("k", l, 0, kT0);
  EXPECT_TRUE(d.ok());
  // Moving a slot moves the obligation; releasing twice is harmless.
  Slot moved = std::move(d.slot);
  EXPECT_FALSE(limiter.Admit("k", l, 0, kT0).ok());
  moved.Release();
  moved.Release();
  EXPECT_TRUE(limiter.Admit("k", l, 0, kT0).ok());
}

TEST(LocalLimiter, SlotMayOutliveTheLimiter) {
  Slot slot;
  {
    LocalLimiter limiter(4);
    Admission a = limiter.Admit("k", {0, 0, 1, 0, BudgetPeriod::kNone}, 0, kT0);
    ASSERT_TRUE(a.ok());
    slot = std::move(a.slot);
  }
  slot.Release();  // ASan would flag a use-after-free here
}

TEST(LocalLimiter, BudgetTripsAndResetsAtTheCalendarBoundary) {
  LocalLimiter limiter;
  KeyLimits l{0, 0, 0, 1000, BudgetPeriod::kDay};
  ASSERT_TRUE(limiter.Admit("k", l, 700, kT0).ok());
  limiter.Reconcile("k", l, 700, 900, kT0);
  Admission a = limiter.Admit("k", l, 100, kT0);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.info.budget->remaining, 0);
  Admission refused = limiter.Admit("k", l, 1, kT0 + seconds(10));
  EXPECT_EQ(refused.refused_by, LimitKind::kBudget);
  EXPECT_EQ(refused.status.code(), ErrorCode::kRateLimited);
  EXPECT_NE(refused.status.message().find("budget"), std::string::npos);
  // kT0 is 18:00:00Z: the day ends in 6 h, minus the 10 s.
  EXPECT_EQ(refused.retry_after, seconds(6 * 3600 - 10));
  EXPECT_FALSE(limiter.Admit("k", l, 1, kT0 + seconds(6 * 3600 - 1)).ok());
  Admission next_day = limiter.Admit("k", l, 1, kT0 + seconds(6 * 3600));
  ASSERT_TRUE(next_day.ok());
  EXPECT_EQ(next_day.info.budget->remaining, 999);
}

TEST(LocalLimiter, TheLongestWaitNamesTheRefusal) {
  LocalLimiter limiter;
  KeyLimits l{1, 1000, 0, 0, BudgetPeriod::kNone};
  ASSERT_TRUE(limiter.Admit("k", l, 10, kT0).ok());
  // Requests need 60 s, tokens 0.6 s: rpm is reported.
  Admission a = limiter.Admit("k", l, 1000, kT0);
  EXPECT_EQ(a.refused_by, LimitKind::kRequests);
  EXPECT_EQ(a.retry_after, seconds(60));
  // Refusals charge nothing: the tokens bucket is still at 990.
  EXPECT_EQ(a.info.tokens->remaining, 990);
}

TEST(LocalLimiter, GlobalCapShedsLoadWith503) {
  LocalLimiter limiter(2);
  Admission a = limiter.Admit("", {}, 0, kT0);
  Admission b = limiter.Admit("x", {}, 0, kT0);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(limiter.global_in_flight(), 2);
  EXPECT_TRUE(RateLimitHeaderFields(a).empty());  // no per-key limits, no headers
  Admission c = limiter.Admit("y", {}, 0, kT0);
  EXPECT_EQ(c.status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(c.refused_by, LimitKind::kGlobalConcurrency);
  EXPECT_EQ(Headers(c)["retry-after"], "1");
  b.slot.Release();
  EXPECT_EQ(limiter.global_in_flight(), 1);
  EXPECT_TRUE(limiter.Admit("y", {}, 0, kT0).ok());
  // A request refused by its key's limit gives its global slot back at once.
  ASSERT_TRUE(limiter.Admit("r", Rpm(1), 0, kT0).ok());  // its slots go with the temporary
  Admission r = limiter.Admit("r", Rpm(1), 0, kT0);
  EXPECT_EQ(r.refused_by, LimitKind::kRequests);
  EXPECT_EQ(limiter.global_in_flight(), 1);
}

TEST(LocalLimiter, ConcurrentAdmitsNeverExceedTheLimit) {
  LocalLimiter limiter;
  KeyLimits l = Rpm(1000);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (limiter.Admit("k", l, 0, kT0).ok()) ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 1000);
}

}  // namespace
}  // namespace sluice::security
