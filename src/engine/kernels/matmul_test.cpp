// MatMul against a double-precision reference over the dequantized weights,
// and the SIMD kernels against the scalar ones.
#include "engine/kernels/matmul.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "engine/kernels/dot.h"
#include "engine/kernels/quantize.h"

namespace sluice::engine {
namespace {

using gguf::GgmlType;

struct Case {
  GgmlType type;
  int64_t rows, cols, n_tokens;
  int threads;
};

std::string Name(const Case& c) {
  return std::string(gguf::GetGgmlTypeInfo(c.type).name) + " " + std::to_string(c.rows) + "x" +
         std::to_string(c.cols) + " tokens=" + std::to_string(c.n_tokens) +
         " threads=" + std::to_string(c.threads);
}

// Activation quantization to 8 bits (Q8_0 / Q8_K, scale = block amax/127)
// moves each x by at most amax_block/254; the bound adds that, times |w|, to
// float rounding.
double ActBlock(GgmlType type) {
  switch (type) {
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0: return 32;
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K: return 256;
    default: return 0;
  }
}

// `simd`: the kernel table under test; MatMul's own (best target) when null.
void RunCase(const Case& c, uint32_t seed, const internal::DotKernels* simd = nullptr) {
  SCOPED_TRACE(Name(c));
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> w_f32(static_cast<size_t>(c.rows * c.cols));  // (rows, cols)
  for (float& v : w_f32) v = dist(rng) * 0.1f;
  std::vector<float> x(static_cast<size_t>(c.n_tokens * c.cols));  // (n_tokens, cols)
  for (float& v : x) v = dist(rng);
  std::vector<std::byte> wq;
  ASSERT_TRUE(QuantizeRows(c.type, w_f32.data(), c.rows, c.cols, &wq).ok());
  const Weight w{c.type, wq.data(), c.rows, c.cols};
  ASSERT_TRUE(CheckWeight(w).ok());

  std::vector<float> wd(static_cast<size_t>(c.rows * c.cols));  // dequantized (rows, cols)
  for (int64_t r = 0; r < c.rows; ++r) DequantizeRow(w, r, wd.data() + r * c.cols);

  ThreadPool pool(c.threads);
  std::vector<float> y(static_cast<size_t>(c.n_tokens * c.rows), NAN);  // (n_tokens, rows)
  std::vector<float> y_scalar(y.size(), NAN);
  if (simd != nullptr) {
    internal::MatMulWith(*simd, w, x.data(), c.n_tokens, y.data(), pool);
  } else {
    MatMul(w, x.data(), c.n_tokens, y.data(), pool);
  }
  internal::MatMulWith(internal::ScalarDotKernels(), w, x.data(), c.n_tokens, y_scalar.data(), pool);

  const int64_t block = static_cast<int64_t>(ActBlock(c.type));
  for (int64_t t = 0; t < c.n_tokens; ++t) {
    const float* xt = x.data() + t * c.cols;
    for (int64_t r = 0; r < c.rows; ++r) {
      const float* wr = wd.data() + r * c.cols;
      double ref = 0, abs_sum = 0, act_bound = 0;
      for (int64_t k = 0; k < c.cols; ++k) {
        ref += static_cast<double>(wr[k]) * xt[k];
        abs_sum += std::fabs(static_cast<double>(wr[k]) * xt[k]);
      }
      if (block > 0) {
        for (int64_t b0 = 0; b0 < c.cols; b0 += block) {
          double amax = 0, wabs = 0;
          for (int64_t k = b0; k < b0 + block; ++k) {
            amax = std::max(amax, std::fabs(static_cast<double>(xt[k])));
            wabs += std::fabs(static_cast<double>(wr[k]));
          }
          act_bound += wabs * amax / 254.0;
        }
      }
      const double tol = act_bound * 1.001 + 2e-5 * abs_sum + 1e-6;
      const size_t i = static_cast<size_t>(t * c.rows + r);
      ASSERT_NEAR(y[i], ref, tol) << "t=" << t << " r=" << r;
      ASSERT_NEAR(y_scalar[i], ref, tol) << "scalar t=" << t << " r=" << r;
      // Same activations, same integer sums: SIMD and scalar differ only in
      // float summation order.
      ASSERT_NEAR(y[i], y_scalar[i], 2e-5 * abs_sum + 1e-6) << "t=" << t << " r=" << r;
    }
  }
}

TEST(MatMul, RandomShapesAllTypes) {
  const GgmlType types[] = {GgmlType::kF32, GgmlType::kF16,  GgmlType::kBF16, GgmlType::kQ8_0,
                            GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K};
  uint32_t seed = 1;
  for (GgmlType type : types) {
    const int64_t block = gguf::GetGgmlTypeInfo(type).block_size;
    const int64_t unit = block == 1 ? 32 : block;
    for (int64_t n_tokens : {1, 3, 7, 32}) {
      for (int threads : {1, 2}) {
        // rows: odd counts that no thread count or tile size divides.
        const int64_t rows = 37 + 13 * static_cast<int64_t>(seed % 5);
        const int64_t cols = unit * (3 + static_cast<int64_t>(seed % 3));
        RunCase({type, rows, cols, n_tokens, threads}, seed++);
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST(MatMul, OddColumnCountsForFloatTypes) {
  // F32/F16/BF16 rows need no blocks: 1, 7, 33 columns exercise the SIMD tails.
  uint32_t seed = 100;
  for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16}) {
    for (int64_t cols : {1, 7, 33, 100}) {
      RunCase({type, 5, cols, 3, 2}, seed++);
      if (HasFatalFailure()) return;
    }
  }
}

TEST(MatMul, DecodeShapeLargeRows) {
  RunCase({GgmlType::kQ8_0, 1000, 896, 1, 2}, 7);
  RunCase({GgmlType::kQ4_0, 1000, 896, 1, 2}, 8);
  RunCase({GgmlType::kQ4_K, 301, 1024, 5, 2}, 9);
  RunCase({GgmlType::kQ6_K, 301, 1024, 5, 2}, 10);
}

// The shapes of small test models: rows of one or two blocks, a prompt of
// many token tiles, and the decode path.
TEST(MatMul, OneAndTwoBlockRows) {
  uint32_t seed = 300;
  for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    for (int64_t cols : {32, 64, 256}) {
      for (int64_t n_tokens : {1, 2, 5, 24}) {
        RunCase({type, cols == 256 ? 128 : 40, cols, n_tokens, 2}, seed++);
        if (HasFatalFailure()) return;
      }
    }
  }
}

// The prompt path (register tiles of rows × tokens) and the decode path (one
// token, one row at a time) give bit-identical results: the forward pass
// re-quantizes every layer's output to int8, so a last-bit difference could
// flip a rounding there and make decode and prompt disagree visibly.
TEST(MatMul, PromptMatchesDecodeBitForBit) {
  std::mt19937 rng(400);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (GgmlType type : {GgmlType::kQ8_0, GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
    SCOPED_TRACE(gguf::GetGgmlTypeInfo(type).name);
    const int64_t rows = 37, cols = 512, n = 7;
    std::vector<float> wf(static_cast<size_t>(rows * cols)), x(static_cast<size_t>(n * cols));
    for (float& v : wf) v = dist(rng) * 0.1f;
    for (float& v : x) v = dist(rng);
    std::vector<std::byte> wq;
    ASSERT_TRUE(QuantizeRows(type, wf.data(), rows, cols, &wq).ok());
    const Weight w{type, wq.data(), rows, cols};
    ThreadPool pool(2);
    std::vector<float> y(static_cast<size_t>(n * rows)), y1(static_cast<size_t>(rows));
    MatMul(w, x.data(), n, y.data(), pool);  // (n, rows)
    for (int64_t t = 0; t < n; ++t) {
      MatMul(w, x.data() + t * cols, 1, y1.data(), pool);
      for (int64_t r = 0; r < rows; ++r) {
        ASSERT_EQ(y1[static_cast<size_t>(r)], y[static_cast<size_t>(t * rows + r)]) << "t=" << t << " r=" << r;
      }
    }
  }
}

// Every SIMD target compiled in and supported by this CPU (e.g. SSSE3, SSE4,
// AVX2, AVX-512) against the reference, not just the one dispatch picks.
TEST(MatMul, EveryCompiledTarget) {
  int n_targets = 0;
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    const internal::DotKernels k = internal::DotKernelsForCurrentTarget();
    SCOPED_TRACE(hwy::TargetName(target));
    ++n_targets;
    uint32_t seed = 200;
    for (GgmlType type : {GgmlType::kF32, GgmlType::kF16, GgmlType::kBF16, GgmlType::kQ8_0,
                          GgmlType::kQ4_0, GgmlType::kQ4_K, GgmlType::kQ6_K}) {
      for (int64_t n_tokens : {1, 7}) {
        const int64_t block = gguf::GetGgmlTypeInfo(type).block_size;
        RunCase({type, 19, (block == 1 ? 33 : block) * 2, n_tokens, 2}, seed++, &k);
      }
    }
  }
  hwy::SetSupportedTargetsForTest(0);
  EXPECT_GE(n_targets, 1);
}

TEST(MatMul, ZeroTokensWritesNothing) {
  std::vector<float> wf(64, 1.0f);
  std::vector<std::byte> wq;
  ASSERT_TRUE(QuantizeRows(GgmlType::kQ8_0, wf.data(), 2, 32, &wq).ok());
  ThreadPool pool(1);
  float y[2] = {5.0f, 6.0f};
  MatMul(Weight{GgmlType::kQ8_0, wq.data(), 2, 32}, wf.data(), 0, y, pool);
  EXPECT_EQ(y[0], 5.0f);
  EXPECT_EQ(y[1], 6.0f);
}

}  // namespace
}  // namespace sluice::engine
