#include "engine/tools/bench.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "engine/model/model.h"
#include "gguf/gguf_file.h"

namespace sluice::engine::tools {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// "Q8_0 (97% of weight bytes), F32": the tensor types of a .gguf by share of bytes.
std::string DescribeTypes(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) return "(not a local .gguf)";
  StatusOr<gguf::GgufFile> f = gguf::OpenGguf(path);
  if (!f.ok()) return "?";
  std::map<std::string_view, uint64_t> bytes;
  uint64_t total = 0;
  for (const gguf::TensorInfo& t : f->tensors()) {
    bytes[gguf::GetGgmlTypeInfo(t.type).name] += t.n_bytes;
    total += t.n_bytes;
  }
  std::vector<std::pair<uint64_t, std::string_view>> order;
  for (const auto& [name, n] : bytes) order.emplace_back(n, name);
  std::sort(order.rbegin(), order.rend());
  std::string out;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i) out += ", ";
    out += std::string(order[i].second);
    if (i == 0 && total > 0) {
      out += fmt::format(" ({:.0f}% of tensor bytes)", 100.0 * static_cast<double>(order[i].first) /
                                                           static_cast<double>(total));
    }
  }
  return out;
}

// User + system CPU seconds of the whole process so far.
double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

int32_t Argmax(const std::vector<float>& v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace

StatusOr<BenchResult> RunBench(const BenchOptions& o) {
  if (o.prompt_tokens <= 0 || o.gen_tokens <= 0 || o.threads <= 0 || o.repetitions <= 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "bench: prompt tokens, generated tokens, threads and repetitions must be positive");
  }
  BenchResult r;
  const Clock::time_point t0 = Clock::now();
  StatusOr<std::shared_ptr<const Model>> opened = Model::Open(o.model);
  if (!opened.ok()) return opened.status();
  const Model& m = **opened;
  r.load_s = Seconds(t0, Clock::now());
  const ModelConfig& c = m.config();
  const int32_t n_ctx = o.prompt_tokens + o.gen_tokens;
  if (c.context_length > 0 && n_ctx > c.context_length) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("bench: {} tokens do not fit the model's context of {}", n_ctx,
                              c.context_length));
  }
  r.shape = fmt::format(
      "{} ({}): {} layers, embd {}, ff {}, heads {}/{} kv, head_dim {}, vocab {}, {}",
      c.arch, c.name, c.n_layer, c.n_embd, c.n_ff, c.n_head, c.n_head_kv, c.head_dim, c.n_vocab,
      c.tied_embeddings ? "tied embeddings" : "untied");
  r.weight_type = DescribeTypes(o.model);
  r.weight_bytes = m.weight_bytes();

  // A fixed, non-degenerate prompt of ordinary ids.
  std::vector<int32_t> prompt(static_cast<size_t>(o.prompt_tokens));
  for (size_t i = 0; i < prompt.size(); ++i) {
    prompt[i] = static_cast<int32_t>((i * 7919 + 13) % static_cast<size_t>(std::min(c.n_vocab, 256)));
  }
  ThreadPool pool(o.threads);
  std::unique_ptr<KvCache> cache = m.NewCache(n_ctx);
  std::vector<float> logits(static_cast<size_t>(c.n_vocab));
  double pp_s = 0, tg_s = 0;
  const double cpu_start = CpuSeconds();
  for (int32_t rep = 0; rep < o.repetitions; ++rep) {
    cache->Truncate(0);
    const Clock::time_point a = Clock::now();
    SLUICE_RETURN_IF_ERROR(m.Forward(prompt, *cache, pool, logits));
    const Clock::time_point b = Clock::now();
    pp_s += Seconds(a, b);
    int32_t token = Argmax(logits);
    for (int32_t i = 0; i < o.gen_tokens; ++i) {
      const int32_t one[1] = {token};
      SLUICE_RETURN_IF_ERROR(m.Forward(one, *cache, pool, logits));
      token = Argmax(logits);
    }
    tg_s += Seconds(b, Clock::now());
  }
  r.cpu_cores_used = (CpuSeconds() - cpu_start) / (pp_s + tg_s);
  r.pp_tokens_per_s = o.prompt_tokens * o.repetitions / pp_s;
  r.tg_tokens_per_s = o.gen_tokens * o.repetitions / tg_s;
  r.tg_gb_per_s = static_cast<double>(r.weight_bytes) * r.tg_tokens_per_s / 1e9;
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  r.peak_rss_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KiB
  return r;
}

}  // namespace sluice::engine::tools
