#include "cli/bench_command.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/tools/bench.h"

void AddBenchCommand(CLI::App& app) {
  auto o = std::make_shared<sluice::engine::tools::BenchOptions>();
  CLI::App* bench = app.add_subcommand("bench", "Benchmark the embedded engine on a model");
  bench->footer(
      "pp: prompt tokens/s (one batched forward pass of the prompt); tg: generated tokens/s\n"
      "(one token at a time, greedy); GB/s: model weight bytes x tg tokens/s; peak RSS.");
  bench->add_option("-m,--model", o->model, "GGUF file or ollama:NAME:TAG")->required();
  bench->add_option("--prompt-tokens", o->prompt_tokens, "Prompt length (default 128)")
      ->check(CLI::Range(1, 1 << 20));
  bench->add_option("--gen-tokens", o->gen_tokens, "Tokens to generate (default 64)")
      ->check(CLI::Range(1, 1 << 20));
  bench->add_option("-t,--threads", o->threads, "Compute threads (default 2)")
      ->check(CLI::Range(1, 256));
  bench->add_option("--repetitions", o->repetitions, "Runs averaged (default 3)")
      ->check(CLI::Range(1, 1000));
  bench->callback([o] {
    sluice::StatusOr<sluice::engine::tools::BenchResult> r = sluice::engine::tools::RunBench(*o);
    if (!r.ok()) {
      std::cerr << "sluice: " << r.status().message() << "\n";
      throw CLI::RuntimeError(1);
    }
    std::cout << fmt::format(
        "model:   {}\n"
        "shape:   {}\n"
        "weights: {}; {:.1f} MB of weights, loaded in {:.2f} s\n"
        "threads: {}, repetitions: {}; {:.2f} cores busy on average (lower: other load)\n"
        "pp{:<5}  {:8.1f} tokens/s\n"
        "tg{:<5}  {:8.1f} tokens/s   {:.2f} GB/s of weights\n"
        "peak RSS {:.0f} MB\n",
        o->model, r->shape, r->weight_type, static_cast<double>(r->weight_bytes) / 1e6, r->load_s,
        o->threads, o->repetitions, r->cpu_cores_used, o->prompt_tokens, r->pp_tokens_per_s, o->gen_tokens,
        r->tg_tokens_per_s, r->tg_gb_per_s, r->peak_rss_mb);
  });
}
