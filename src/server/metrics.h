// Gateway metrics, rendered in the Prometheus text exposition format
// (version 0.0.4) for GET /metrics.
//
// Counters and histograms are keyed by label values; label sets are few
// (routes × models × providers × statuses), so one mutex per family is
// plenty at the request rates a gateway sees. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::server {

// What one finished request contributes.
struct RequestSample {
  std::string route;     // "/v1/chat/completions"
  std::string model;     // "" when none was resolved
  std::string provider;  // "" when none was called
  int status = 0;
  double total_s = 0;            // request start → response complete
  double first_token_s = -1;     // request start → first token (-1: none)
  double upstream_s = -1;        // time spent waiting on the provider (-1: not called)
  int64_t prompt_tokens = -1;    // -1: unknown
  int64_t completion_tokens = -1;
  std::string key_name;          // API key name, "" when unauthenticated
  double engine_prompt_s = -1;      // embedded engine compute time (-1: not the engine)
  double engine_generation_s = -1;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Appends the _bucket/_sum/_count lines for `name{labels}`.
  void Render(const std::string& name, const std::string& labels, std::string* out) const;

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // one per bound, plus +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

class Metrics {
 public:
  Metrics();

  void RecordRequest(const RequestSample& s);
  void RecordUpstreamError(const std::string& provider, const std::string& kind);
  void RecordRateLimited(const std::string& limit);

  void ConnectionOpened() { connections_.fetch_add(1); }
  void ConnectionClosed() { connections_.fetch_sub(1); }
  void StreamStarted() { streams_.fetch_add(1); }
  void StreamEnded() { streams_.fetch_sub(1); }

  std::string RenderPrometheus() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;          // labels → count
  std::map<std::string, Histogram> duration_;         // labels → total latency
  std::map<std::string, Histogram> first_token_;      // labels → time to first token
  std::map<std::string, Histogram> overhead_;         // labels → total minus upstream time
  std::map<std::string, uint64_t> tokens_;            // labels (model, key, direction) → tokens
  std::map<std::string, uint64_t> upstream_errors_;   // labels (provider, kind) → count
  std::map<std::string, uint64_t> rate_limited_;      // labels (limit) → count
  // Embedded engine, labels (model, phase "prompt" | "generate"): tokens
  // computed and seconds spent, so rate(tokens)/rate(seconds) is tokens/s;
  // and per-request generation speed.
  std::map<std::string, uint64_t> engine_tokens_;
  std::map<std::string, double> engine_seconds_;
  std::map<std::string, Histogram> engine_speed_;    // labels (model) → tokens/s
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> streams_{0};
};

// Escapes a label value for the exposition format (backslash, quote, newline).
std::string PromLabelValue(const std::string& v);

}  // namespace sluice::server
