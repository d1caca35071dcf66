// RedisLimiter against a real redis-server that each test starts on a free
// loopback port. Two RedisLimiter instances stand for two sluice processes.
#include "server/security/redis_limiter.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

extern char** environ;

namespace sluice::security {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const TimePoint kT0{seconds(1'795'543'200)};  // 2026-11-24T18:00:00Z
constexpr const char* kRedisServer = "/usr/bin/redis-server";

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RedisLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kRedisServer, X_OK) != 0) {
      GTEST_SKIP() << kRedisServer << " is not installed (Debian package redis-server); "
                   << "skipping the shared-limit tests";
    }
    port_ = FreeLoopbackPort();
    ASSERT_GT(port_, 0);
    StartRedis();
  }
  void TearDown() override { StopRedis(); }

  void StartRedis() {
    std::string port = std::to_string(port_);
    std::vector<std::string> args = {kRedisServer, "--port", port, "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no", "--daemonize", "no",
                                     "--loglevel", "warning"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ASSERT_EQ(::posix_spawn(&pid_, kRedisServer, nullptr, nullptr, argv.data(), environ), 0);
    // Wait until it answers (a readiness wait, not a timing assertion).
    RedisClient probe(*ParseRedisUrl(Url()), {milliseconds(200), milliseconds(200),
                                              milliseconds(0), milliseconds(0)});
    for (int i = 0; i < 500; ++i) {
      if (probe.Command({"PING"}).ok()) return;
      std::this_thread::sleep_for(milliseconds(10));
    }
    FAIL() << "redis-server did not start on port " << port_;
  }

  void StopRedis() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  std::string Url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<RedisLimiter> Instance(RedisFailMode mode = RedisFailMode::kFailOpen) {
    RedisLimiterOptions options;
    options.url = Url();
    options.fail_mode = mode;
    // Reconnect at once so a restarted server is seen without waiting.
    options.client.min_backoff = milliseconds(0);
    options.client.max_backoff = milliseconds(0);
    auto limiter = RedisLimiter::Create(options);
    EXPECT_TRUE(limiter.ok());
    return std::move(*limiter);
  }

  int port_ = -1;
  pid_t pid_ = -1;
};

TEST(RedisUrl, Parses) {
  auto a = ParseRedisUrl("redis://cache.internal:6380/2");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "cache.internal");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 2);
  auto b = ParseRedisUrl("redis://:s3cret@10.0.0.1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 6379);
  EXPECT_EQ(b->password, "s3cret");
  EXPECT_FALSE(ParseRedisUrl("http://x").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h:99999").ok());
  EXPECT_FALSE(ParseRedisUrl("redis://h/x").ok());
  EXPECT_FALSE(ParseRedisFailMode("maybe").ok());
}

TEST_F(RedisLimiterTest, TwoInstancesShareOneRpmLimit) {
  auto a = Instance();
  auto b = Instance();
  KeyLimits l{5, 0, 0, 0, BudgetPeriod::kNone};
  int admitted = 0;
  for (int i = 0; i < 10; ++i) {
    Admission d = (i % 2 == 0 ? a : b)->Admit("key_x", l, 0, kT0);
    if (d.ok()) {
      ++admitted;
      EXPECT_EQ(d.info.requests->remaining, 5 - admitted);
    } else {
      EXPECT_EQ(d.refused_by, LimitKind::kRequests);
      EXPECT_EQ(d.retry_after, seconds(12));
      EXPECT_NE(d.status.message().find("rpm"), std::string::npos);
    }
  }
  EXPECT_EQ(admitted, 5);
  EXPECT_EQ(a->fallback_count() + b->fallback_count(), 0u);
  // Refill is shared too: 12 s later exactly one more fits, on either instance.
  EXPECT_TRUE(b->Admit("key_x", l, 0, kT0 + seconds(12)).ok());
  EXPECT_FALSE(a->Admit("key_x", l, 0, kT0 + seconds(12)).ok());
  // Other keys are independent.
  EXPECT_TRUE(a->Admit("key_y", l, 0, kT0).ok());
}

TEST_F(RedisLimiterTest, SharedConcurrencyIsReleasedBySlots) {
  auto a = Instance();
  auto b = Instance();
  KeyLimits l{0, 0, 2, 0, BudgetPeriod::kNone};
  Admission first = a->Admit("k", l, 0, kT0);
  std::optional<Admission> second(b->Admit("k", l, 0, kT0));
  ASSERT_TRUE(first.ok() && second->ok());
  Admission third = a->Admit("k", l, 0, kT0);
  EXPECT_EQ(third.refused_by, LimitKind::kConcurrency);
  EXPECT_EQ(third.status.code(), ErrorCode::kRateLimited);
  second.reset();  // B's request ended
  Admission fourth = a->Admit("k", l, 0, kT0);
  EXPECT_TRUE(fourth.ok());
  // A slot outlives its limiter and still releases.
  b.reset();
  first.slot.Release();
  EXPECT_TRUE(a->Admit("k", l, 0, kT0).ok());
}

TEST_F(RedisLimiterTest, LeasesOfDeadProcessesExpire) {
  auto a = Instance();
  KeyLimits l{0, 0, 1, 0, BudgetPeriod::kNone};
  Admission held = a->Admit("k", l, 0, kT0);
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(a->Admit("k", l, 0, kT0 + std::chrono::minutes(14)).ok());
  // The holder "crashed": 15 min later its lease no longer counts.
  EXPECT_TRUE(a->Admit("k", l, 0, kT0 + std::chrono::minutes(15) + milliseconds(1)).ok());
}

TEST_F(RedisLimiterTest, SharedTokensReconcileAndBudget) {
  auto a = Instance();
  auto b = Instance();
  KeyLimits tpm{0, 1000, 0, 0, BudgetPeriod::kNone};
  ASSERT_TRUE(a->Admit("k", tpm, 600, kT0).ok());
  Admission d = b->Admit("k", tpm, 400, kT0);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d.info.tokens->remaining, 0);
  EXPECT_EQ(b->Admit("k", tpm, 300, kT0).retry_after, seconds(18));
  a->Reconcile("k", tpm, 600, 100, kT0);  // A's call used 100 of its 600
  d = b->Admit("k", tpm, 500, kT0);
  ASSERT_TRUE(d.ok()) << d.status.ToString();
  b->Reconcile("k", tpm, 500, 800, kT0);  // B's ran over by 300: debt
  Admission debt = a->Admit("k", tpm, 0, kT0);
  EXPECT_EQ(debt.refused_by, LimitKind::kTokens);
  EXPECT_EQ(debt.retry_after, seconds(18));

  KeyLimits budget{0, 0, 0, 1000, BudgetPeriod::kMonth};
  ASSERT_TRUE(a->Admit("m", budget, 700, kT0).ok());
  b->Reconcile("m", budget, 700, 950, kT0);
  Admission over = b->Admit("m", budget, 100, kT0);
  EXPECT_EQ(over.refused_by, LimitKind::kBudget);
  EXPECT_NE(over.status.message().find("budget"), std::string::npos);
  // November 2026 ends 2026-12-01T00:00:00Z, 6 days and 6 hours after kT0.
  EXPECT_EQ(over.retry_after, seconds((6 * 24 + 6) * 3600));
  EXPECT_TRUE(a->Admit("m", budget, 50, kT0).ok());
  EXPECT_TRUE(b->Admit("m", budget, 100, kT0 + seconds((6 * 24 + 6) * 3600)).ok());
  EXPECT_EQ(a->fallback_count() + b->fallback_count(), 0u);
}

TEST_F(RedisLimiterTest, ScriptCacheFlushFallsBackToEval) {
  auto a = Instance();
  KeyLimits l{2, 0, 0, 0, BudgetPeriod::kNone};
  ASSERT_TRUE(a->Admit("k", l, 0, kT0).ok());
  RedisClient admin(*ParseRedisUrl(Url()), {});
  ASSERT_TRUE(admin.Command({"SCRIPT", "FLUSH"}).ok());
  ASSERT_TRUE(a->Admit("k", l, 0, kT0).ok());
  EXPECT_FALSE(a->Admit("k", l, 0, kT0).ok());  // still the shared count, not a fallback
  EXPECT_EQ(a->fallback_count(), 0u);
  EXPECT_EQ(a->backend_error_count(), 0u);
  auto keys = admin.Command({"KEYS", "sluice:rl:{k}:*"});
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->elements.size(), 1u);
  EXPECT_EQ(keys->elements[0].str, "sluice:rl:{k}:req");
  auto ttl = admin.Command({"PTTL", "sluice:rl:{k}:req"});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer, 0);  // counters expire on their own
}

TEST_F(RedisLimiterTest, FailOpenKeepsAdmittingWithPerInstanceLimits) {
  auto a = Instance(RedisFailMode::kFailOpen);
  auto b = Instance(RedisFailMode::kFailOpen);
  KeyLimits l{3, 0, 0, 0, BudgetPeriod::kNone};
  ASSERT_TRUE(a->Admit("k", l, 0, kT0).ok());
  ASSERT_TRUE(b->Admit("k", l, 0, kT0).ok());
  EXPECT_TRUE(a->backend_healthy());
  StopRedis();
  // Each instance now enforces rpm 3 on its own: 3 + 3 rather than 1 shared.
  for (auto* inst : {a.get(), b.get()}) {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(inst->Admit("k", l, 0, kT0).ok()) << i;
    Admission refused = inst->Admit("k", l, 0, kT0);
    EXPECT_EQ(refused.refused_by, LimitKind::kRequests);
    EXPECT_EQ(inst->fallback_count(), 4u);
    EXPECT_FALSE(inst->backend_healthy());
    EXPECT_GT(inst->backend_error_count(), 0u);
  }
  // Redis comes back (empty): decisions are shared again.
  StartRedis();
  uint64_t fallbacks = a->fallback_count();
  ASSERT_TRUE(a->Admit("k", l, 0, kT0).ok());
  EXPECT_TRUE(a->backend_healthy());
  EXPECT_EQ(a->fallback_count(), fallbacks);
  EXPECT_TRUE(b->Admit("k", l, 0, kT0).ok());
  EXPECT_TRUE(b->Admit("k", l, 0, kT0).ok());
  EXPECT_FALSE(a->Admit("k", l, 0, kT0).ok());
}

TEST_F(RedisLimiterTest, FailClosedAnswersUnavailable) {
  auto a = Instance(RedisFailMode::kFailClosed);
  KeyLimits l{100, 0, 2, 0, BudgetPeriod::kNone};
  Admission held = a->Admit("k", l, 0, kT0);
  ASSERT_TRUE(held.ok());
  StopRedis();
  Admission d = a->Admit("k", l, 0, kT0);
  EXPECT_EQ(d.status.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(d.refused_by, LimitKind::kBackend);
  EXPECT_EQ(d.retry_after, seconds(1));
  EXPECT_TRUE(d.slot.empty());
  EXPECT_EQ(a->fallback_count(), 0u);
  EXPECT_EQ(a->global_in_flight(), 1);
  held.slot.Release();  // release with Redis down: counted, not fatal
  EXPECT_EQ(a->global_in_flight(), 0);
  EXPECT_GE(a->backend_error_count(), 2u);
}

TEST_F(RedisLimiterTest, UnreachableFromTheStartFailsFast) {
  StopRedis();
  RedisLimiterOptions options;
  options.url = Url();
  options.fail_mode = RedisFailMode::kFailOpen;
  auto limiter = RedisLimiter::Create(options);  // default backoff: 100 ms .. 5 s
  ASSERT_TRUE(limiter.ok());
  KeyLimits l{2, 0, 0, 0, BudgetPeriod::kNone};
  for (int i = 0; i < 2; ++i) EXPECT_TRUE((*limiter)->Admit("k", l, 0, kT0).ok());
  EXPECT_FALSE((*limiter)->Admit("k", l, 0, kT0).ok());
  EXPECT_EQ((*limiter)->fallback_count(), 3u);
}

}  // namespace
}  // namespace sluice::security
