#include "server/metrics.h"

#include <gtest/gtest.h>

namespace sluice::server {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  Metrics m;
  RequestSample s;
  s.route = "/v1/chat/completions";
  s.model = "m";
  s.provider = "up";
  s.status = 200;
  s.total_s = 0.2;
  s.first_token_s = 0.05;
  s.upstream_s = 0.1996;
  s.prompt_tokens = 12;
  s.completion_tokens = 5;
  s.key_name = "team-a";
  m.RecordRequest(s);
  m.RecordRequest(s);
  m.RecordUpstreamError("up", "upstream_timeout");
  m.RecordRateLimited("rpm");
  m.ConnectionOpened();
  m.StreamStarted();
  std::string text = m.RenderPrometheus();

  EXPECT_TRUE(Contains(text, "# TYPE sluice_requests_total counter\n"));
  EXPECT_TRUE(Contains(text, R"(sluice_requests_total{route="/v1/chat/completions",model="m",provider="up",status="200"} 2)"));
  // 0.2 s falls in the 0.25 bucket and every larger one, not in 0.1.
  EXPECT_TRUE(Contains(text, R"(sluice_request_duration_seconds_bucket{route="/v1/chat/completions",model="m",le="0.1"} 0)"));
  EXPECT_TRUE(Contains(text, R"(sluice_request_duration_seconds_bucket{route="/v1/chat/completions",model="m",le="0.25"} 2)"));
  EXPECT_TRUE(Contains(text, R"(sluice_request_duration_seconds_bucket{route="/v1/chat/completions",model="m",le="+Inf"} 2)"));
  EXPECT_TRUE(Contains(text, R"(sluice_request_duration_seconds_count{route="/v1/chat/completions",model="m"} 2)"));
  // Overhead = 0.2 - 0.1996 = 0.4 ms → the 0.0005 bucket.
  EXPECT_TRUE(Contains(text, R"(sluice_gateway_overhead_seconds_bucket{route="/v1/chat/completions",le="0.0005"} 2)"));
  EXPECT_TRUE(Contains(text, R"(sluice_gateway_overhead_seconds_bucket{route="/v1/chat/completions",le="0.00025"} 0)"));
  EXPECT_TRUE(Contains(text, R"(sluice_tokens_total{model="m",key="team-a",direction="in"} 24)"));
  EXPECT_TRUE(Contains(text, R"(sluice_tokens_total{model="m",key="team-a",direction="out"} 10)"));
  EXPECT_TRUE(Contains(text, R"(sluice_upstream_errors_total{provider="up",kind="upstream_timeout"} 1)"));
  EXPECT_TRUE(Contains(text, R"(sluice_rate_limited_total{limit="rpm"} 1)"));
  EXPECT_TRUE(Contains(text, "sluice_active_connections 1\n"));
  EXPECT_TRUE(Contains(text, "sluice_active_streams 1\n"));
}

TEST(MetricsTest, EngineTokensSecondsAndSpeed) {
  Metrics m;
  RequestSample s;
  s.route = "/generate/structured";
  s.model = "demo";
  s.status = 200;
  s.prompt_tokens = 100;
  s.completion_tokens = 40;
  s.engine_prompt_s = 0.5;
  s.engine_generation_s = 2.0;  // 20 tokens/s
  m.RecordRequest(s);
  RequestSample upstream = s;   // an upstream model: no engine time
  upstream.engine_prompt_s = upstream.engine_generation_s = -1;
  m.RecordRequest(upstream);
  std::string text = m.RenderPrometheus();
  EXPECT_TRUE(Contains(text, R"(sluice_engine_tokens_total{model="demo",phase="prompt"} 100)")) << text;
  EXPECT_TRUE(Contains(text, R"(sluice_engine_tokens_total{model="demo",phase="generate"} 40)"));
  EXPECT_TRUE(Contains(text, R"(sluice_engine_seconds_total{model="demo",phase="generate"} 2)"));
  EXPECT_TRUE(Contains(text, R"(sluice_engine_generation_tokens_per_second_bucket{model="demo",le="10"} 0)"));
  EXPECT_TRUE(Contains(text, R"(sluice_engine_generation_tokens_per_second_bucket{model="demo",le="20"} 1)"));
}

TEST(MetricsTest, EscapesLabelValues) {
  EXPECT_EQ(PromLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace sluice::server
