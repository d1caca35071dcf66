// Micro-benchmark of MatMul's decode path (n_tokens = 1) and prompt path on
// Qwen2.5-0.5B's FFN shape (4864 x 896), Q8_0 and Q4_0, random weights.
// "cold" rotates over enough copies (~256 MB) that every weight byte comes
// from DRAM, as in a real forward pass; "hot" reuses one cache-resident copy.
// GB/s = weight bytes streamed / wall time; "cpu" divides by the process's
// CPU time instead, which stays meaningful on a shared, oversubscribed
// machine (with 1 thread it is the single-core kernel speed).
// Not a test: numbers go to RESULTS.md.
//   kernels_bench [threads] [seconds per case]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/kernels/quantize.h"

namespace {

using sluice::engine::MatMul;
using sluice::engine::QuantizeRows;
using sluice::engine::ThreadPool;
using sluice::engine::Weight;
using sluice::gguf::GgmlType;
using Clock = std::chrono::steady_clock;

void Run(GgmlType type, const char* name, int threads, double seconds) {
  const int64_t rows = 4864, cols = 896;
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 0.05f);
  std::vector<float> wf(static_cast<size_t>(rows * cols));
  for (float& v : wf) v = dist(rng);
  std::vector<std::byte> one;
  if (!QuantizeRows(type, wf.data(), rows, cols, &one).ok()) std::abort();
  const size_t bytes = one.size();
  const int n_copies = static_cast<int>((256u << 20) / bytes) + 1;
  std::vector<std::vector<std::byte>> copies(static_cast<size_t>(n_copies), one);
  ThreadPool pool(threads);

  for (int64_t n_tokens : {int64_t{1}, int64_t{64}}) {
    std::vector<float> x(static_cast<size_t>(n_tokens * cols)), y(static_cast<size_t>(n_tokens * rows));
    for (float& v : x) v = dist(rng);
    for (bool cold : {false, true}) {
      if (n_tokens > 1 && cold) continue;  // prompt path is compute bound
      int64_t iters = 0;
      const auto start = Clock::now();
      const std::clock_t cpu_start = std::clock();
      double elapsed = 0;
      while (elapsed < seconds) {
        const auto& w_bytes = cold ? copies[static_cast<size_t>(iters % n_copies)] : one;
        MatMul(Weight{type, w_bytes.data(), rows, cols}, x.data(), n_tokens, y.data(), pool);
        ++iters;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      }
      const double per_call = elapsed / static_cast<double>(iters);
      const double cpu_per_call = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC /
                                  static_cast<double>(iters);
      if (n_tokens == 1) {
        std::printf("%-5s decode  %-4s threads=%d  %8.1f us/call  %6.1f GB/s  (cpu %6.1f GB/s)\n",
                    name, cold ? "cold" : "hot", threads, per_call * 1e6,
                    static_cast<double>(bytes) / per_call / 1e9,
                    static_cast<double>(bytes) / cpu_per_call / 1e9);
      } else {
        const double flops = 2.0 * static_cast<double>(rows * cols * n_tokens);
        std::printf("%-5s prompt  n=%-3lld threads=%d  %8.1f us/call  %6.1f GFLOP/s  (cpu %6.1f)\n",
                    name, static_cast<long long>(n_tokens), threads, per_call * 1e6,
                    flops / per_call / 1e9, flops / cpu_per_call / 1e9);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  Run(GgmlType::kQ8_0, "Q8_0", threads, seconds);
  Run(GgmlType::kQ4_0, "Q4_0", threads, seconds);
  return 0;
}
