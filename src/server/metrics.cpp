#include "server/metrics.h"

#include <fmt/format.h>

namespace sluice::server {

namespace {

// Seconds; gateway overhead lives in the first buckets, model latency in the last.
const std::vector<double> kLatencyBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10,    30,     60,
                                            120};

std::string Labels(std::initializer_list<std::pair<const char*, std::string>> kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}=\"{}\"", k, PromLabelValue(v));
  }
  return out;
}

// Tokens per second of one request's generation, CPU models to GPU servers.
const std::vector<double> kSpeedBounds = {1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 250, 500, 1000};

Histogram& Hist(std::map<std::string, Histogram>& m, const std::string& labels,
                const std::vector<double>& bounds = kLatencyBounds) {
  auto it = m.find(labels);
  if (it == m.end()) it = m.emplace(labels, Histogram(bounds)).first;
  return it->second;
}

void RenderCounter(const char* name, const char* help, const std::map<std::string, uint64_t>& m,
                   std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  for (const auto& [labels, v] : m) *out += fmt::format("{}{{{}}} {}\n", name, labels, v);
}

void RenderSeconds(const char* name, const char* help, const std::map<std::string, double>& m,
                   std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  for (const auto& [labels, v] : m) *out += fmt::format("{}{{{}}} {}\n", name, labels, v);
}

void RenderHistograms(const char* name, const char* help,
                      const std::map<std::string, Histogram>& m, std::string* out) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  for (const auto& [labels, h] : m) h.Render(name, labels, out);
}

}  // namespace

std::string PromLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::Render(const std::string& name, const std::string& labels,
                       std::string* out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    *out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds_[i],
                        cumulative);
  }
  cumulative += counts_.back();
  *out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  *out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum_);
  *out += fmt::format("{}_count{{{}}} {}\n", name, labels, count_);
}

Metrics::Metrics() = default;

void Metrics::RecordRequest(const RequestSample& s) {
  std::string route_labels = Labels({{"route", s.route}, {"model", s.model},
                                     {"provider", s.provider},
                                     {"status", std::to_string(s.status)}});
  std::string model_labels = Labels({{"route", s.route}, {"model", s.model}});
  std::lock_guard lock(mu_);
  ++requests_[route_labels];
  Hist(duration_, model_labels).Observe(s.total_s);
  if (s.first_token_s >= 0) Hist(first_token_, model_labels).Observe(s.first_token_s);
  if (s.upstream_s >= 0) {
    Hist(overhead_, Labels({{"route", s.route}})).Observe(std::max(0.0, s.total_s - s.upstream_s));
  }
  if (s.prompt_tokens > 0) {
    tokens_[Labels({{"model", s.model}, {"key", s.key_name}, {"direction", "in"}})] +=
        static_cast<uint64_t>(s.prompt_tokens);
  }
  if (s.completion_tokens > 0) {
    tokens_[Labels({{"model", s.model}, {"key", s.key_name}, {"direction", "out"}})] +=
        static_cast<uint64_t>(s.completion_tokens);
  }
  if (s.engine_prompt_s >= 0 && s.prompt_tokens > 0) {
    std::string labels = Labels({{"model", s.model}, {"phase", "prompt"}});
    engine_tokens_[labels] += static_cast<uint64_t>(s.prompt_tokens);
    engine_seconds_[labels] += s.engine_prompt_s;
  }
  if (s.engine_generation_s > 0 && s.completion_tokens > 0) {
    std::string labels = Labels({{"model", s.model}, {"phase", "generate"}});
    engine_tokens_[labels] += static_cast<uint64_t>(s.completion_tokens);
    engine_seconds_[labels] += s.engine_generation_s;
    Hist(engine_speed_, Labels({{"model", s.model}}), kSpeedBounds)
        .Observe(static_cast<double>(s.completion_tokens) / s.engine_generation_s);
  }
}

void Metrics::RecordUpstreamError(const std::string& provider, const std::string& kind) {
  std::string labels = Labels({{"provider", provider}, {"kind", kind}});
  std::lock_guard lock(mu_);
  ++upstream_errors_[labels];
}

void Metrics::RecordRateLimited(const std::string& limit) {
  std::string labels = Labels({{"limit", limit}});
  std::lock_guard lock(mu_);
  ++rate_limited_[labels];
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  RenderCounter("sluice_requests_total", "HTTP requests by route, model, provider and status.",
                requests_, &out);
  RenderHistograms("sluice_request_duration_seconds",
                   "Time from request start to the end of the response.", duration_, &out);
  RenderHistograms("sluice_time_to_first_token_seconds",
                   "Time from request start to the first token from the model.", first_token_,
                   &out);
  RenderHistograms("sluice_gateway_overhead_seconds",
                   "Request duration minus the time spent waiting on the provider.", overhead_,
                   &out);
  RenderCounter("sluice_tokens_total", "Tokens in (prompt) and out (completion).", tokens_, &out);
  RenderCounter("sluice_upstream_errors_total", "Upstream failures by provider and kind.",
                upstream_errors_, &out);
  RenderCounter("sluice_rate_limited_total", "Requests refused by a limit.", rate_limited_, &out);
  RenderCounter("sluice_engine_tokens_total",
                "Tokens the embedded engine computed, by phase (prompt, generate).",
                engine_tokens_, &out);
  RenderSeconds("sluice_engine_seconds_total",
                "Compute seconds the embedded engine spent, by phase; tokens/s = "
                "rate(sluice_engine_tokens_total) / rate(sluice_engine_seconds_total).",
                engine_seconds_, &out);
  RenderHistograms("sluice_engine_generation_tokens_per_second",
                   "Generation speed of each embedded-engine request.", engine_speed_, &out);
  out += fmt::format(
      "# HELP sluice_active_connections Open client connections.\n"
      "# TYPE sluice_active_connections gauge\nsluice_active_connections {}\n"
      "# HELP sluice_active_streams Requests currently waiting on or streaming from a provider.\n"
      "# TYPE sluice_active_streams gauge\nsluice_active_streams {}\n",
      connections_.load(), streams_.load());
  return out;
}

}  // namespace sluice::server
