// The engine benchmark behind `sluice bench`: prompt processing (one batched
// Forward of the prompt) and generation (one token at a time, greedy) speed,
// the memory bandwidth generation achieves, and peak RSS — the numbers
// llama.cpp's llama-bench reports as pp and tg. Not thread-safe (uses the
// process's rusage); one run at a time.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace sluice::engine::tools {

struct BenchOptions {
  std::string model;        // .gguf path or ollama:NAME:TAG
  int32_t prompt_tokens = 128;
  int32_t gen_tokens = 64;
  int32_t threads = 2;
  int32_t repetitions = 3;  // pp and tg runs; the mean is reported
};

struct BenchResult {
  std::string shape;        // "qwen2 24 layers, 896 wide, ..."
  std::string weight_type;  // "Q8_0 (97% of weight bytes), F32"
  uint64_t weight_bytes = 0;
  double load_s = 0;
  double pp_tokens_per_s = 0;   // mean over repetitions
  double tg_tokens_per_s = 0;   // mean over repetitions
  double tg_gb_per_s = 0;       // weight_bytes × tg tokens/s
  double peak_rss_mb = 0;       // getrusage ru_maxrss
  // Process CPU time / wall time over the timed runs: close to `threads` on an
  // idle machine, lower when other processes compete for the cores.
  double cpu_cores_used = 0;
};

// Errors: Model::Open's; kInvalidArgument for non-positive counts or a
// prompt + generation longer than the model's context; Forward's.
StatusOr<BenchResult> RunBench(const BenchOptions& options);

}  // namespace sluice::engine::tools
