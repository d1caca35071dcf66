// QuantizeRows: refusals, known answers, and quantize → dequantize error bounds.
#include "engine/kernels/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/fp16.h"
#include "engine/kernels/matmul.h"

namespace sluice::engine {
namespace {

using gguf::GgmlType;

std::vector<float> RoundTrip(GgmlType type, const std::vector<float>& x, int64_t rows, int64_t cols) {
  std::vector<std::byte> q;
  EXPECT_TRUE(QuantizeRows(type, x.data(), rows, cols, &q).ok());
  EXPECT_EQ(q.size(), static_cast<size_t>(rows) * RowBytes(type, cols));
  std::vector<float> y(x.size());
  Weight w{type, q.data(), rows, cols};
  for (int64_t r = 0; r < rows; ++r) DequantizeRow(w, r, y.data() + r * cols);
  return y;
}

TEST(Quantize, RefusesUnsupportedTypesAndOddColumns) {
  std::vector<float> x(64, 1.0f);
  std::vector<std::byte> out;
  Status s = QuantizeRows(GgmlType::kQ5_0, x.data(), 1, 64, &out);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("Q5_0"), std::string::npos) << s.message();
  s = QuantizeRows(GgmlType::kQ8_0, x.data(), 1, 48, &out);
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("48"), std::string::npos) << s.message();
  EXPECT_EQ(QuantizeRows(GgmlType::kQ4_K, x.data(), 1, 64, &out).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(QuantizeRows(GgmlType::kF16, x.data(), 1, 0, &out).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(QuantizeRows(GgmlType::kF16, x.data(), 1, 3, &out).ok());

  Weight w{GgmlType::kQ5_0, reinterpret_cast<const std::byte*>(x.data()), 1, 64};
  EXPECT_EQ(CheckWeight(w).code(), ErrorCode::kInvalidArgument);
  w.type = GgmlType::kQ6_K;
  EXPECT_EQ(CheckWeight(w).code(), ErrorCode::kInvalidArgument);  // 64 % 256
  w.type = GgmlType::kQ8_0;
  EXPECT_TRUE(CheckWeight(w).ok());
  w.data = nullptr;
  EXPECT_FALSE(CheckWeight(w).ok());
}

// Hand-computed per ggml's quantize_row_q8_0_ref: d = amax/127, q = round(x/d).
TEST(Quantize, Q8_0KnownAnswer) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j) - 16.0f;  // amax 16
  std::vector<std::byte> q;
  ASSERT_TRUE(QuantizeRows(GgmlType::kQ8_0, x.data(), 1, 32, &q).ok());
  uint16_t d;
  std::memcpy(&d, q.data(), 2);
  EXPECT_EQ(d, internal::Fp32ToFp16(16.0f / 127.0f));
  const int8_t* qs = reinterpret_cast<const int8_t*>(q.data() + 2);
  EXPECT_EQ(qs[0], -127);
  EXPECT_EQ(qs[16], 0);
  EXPECT_EQ(qs[17], 8);   // 1 · 127/16 = 7.94 → 8
  EXPECT_EQ(qs[31], 119);  // 15 · 127/16 = 119.06 → 119
}

// Per ggml's quantize_row_q4_0_ref: d = max/−8 for the signed max-magnitude
// value, q = min(15, trunc(x/d + 8.5)).
TEST(Quantize, Q4_0KnownAnswer) {
  std::vector<float> x(32);
  for (int j = 0; j < 32; ++j) x[j] = static_cast<float>(j % 16) - 8.0f;  // max-magnitude −8
  x[20] = 3.4f;
  std::vector<std::byte> q;
  ASSERT_TRUE(QuantizeRows(GgmlType::kQ4_0, x.data(), 1, 32, &q).ok());
  uint16_t d;
  std::memcpy(&d, q.data(), 2);
  EXPECT_EQ(d, 0x3C00);  // −8 / −8 = 1
  const uint8_t* qs = reinterpret_cast<const uint8_t*>(q.data() + 2);
  EXPECT_EQ(qs[0], 0x00);         // −8 → 0 (low), −8 → 0 (high, elem 16)
  EXPECT_EQ(qs[15], 0xFF);        // 7 → 15, 7 → 15
  EXPECT_EQ(qs[4] >> 4, 11);      // elem 20: 3.4 + 8.5 = 11.9 → 11
  EXPECT_EQ(qs[4] & 0xF, 4);      // elem 4: −4 → 4
}

TEST(Quantize, Q6_KAndQ4_KExactGrid) {
  // Values on a symmetric grid the 6-bit format can represent exactly
  // (multiples of 1/32 in [−1, 31/32]) come back exactly or nearly so.
  std::vector<float> x(256);
  for (int i = 0; i < 256; ++i) x[i] = static_cast<float>((i * 13) % 64 - 32) / 32.0f;
  const std::vector<float> y = RoundTrip(GgmlType::kQ6_K, x, 1, 256);
  for (int i = 0; i < 256; ++i) EXPECT_NEAR(y[i], x[i], 1.0f / 64) << i;
  // Q4_K of a constant positive row: the min absorbs nothing (min is clamped
  // to 0), every value maps to the top code.
  std::vector<float> c(256, 0.75f);
  const std::vector<float> yc = RoundTrip(GgmlType::kQ4_K, c, 1, 256);
  for (int i = 0; i < 256; ++i) EXPECT_NEAR(yc[i], 0.75f, 0.01f) << i;
  // All zeros stay zeros.
  std::vector<float> z(256, 0.0f);
  for (GgmlType t : {GgmlType::kQ4_K, GgmlType::kQ6_K, GgmlType::kQ8_0, GgmlType::kQ4_0}) {
    for (float v : RoundTrip(t, z, 1, 256)) EXPECT_EQ(v, 0.0f);
  }
}

struct ErrorCase {
  GgmlType type;
  double max_rel_rmse;  // RMSE / RMS of the data, Gaussian input
};

class QuantizeRoundTrip : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(QuantizeRoundTrip, ErrorWithinBound) {
  const ErrorCase c = GetParam();
  const int64_t rows = 8, cols = 1024;
  std::mt19937 rng(42);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  std::vector<float> x(static_cast<size_t>(rows * cols));
  for (float& v : x) v = dist(rng);
  x[5] = 4.0f;  // an outlier, as real weights have
  const std::vector<float> y = RoundTrip(c.type, x, rows, cols);
  double err2 = 0, sig2 = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    err2 += (static_cast<double>(y[i]) - x[i]) * (static_cast<double>(y[i]) - x[i]);
    sig2 += static_cast<double>(x[i]) * x[i];
  }
  const double rel = std::sqrt(err2 / sig2);
  EXPECT_LE(rel, c.max_rel_rmse) << gguf::GetGgmlTypeInfo(c.type).name;
  if (c.type == GgmlType::kF32) {
    EXPECT_EQ(rel, 0.0);
  }
  // Quantizing the dequantized values again is stable for the ggml
  // reference algorithms of the simple types (a fixed point).
  if (c.type == GgmlType::kQ8_0 || c.type == GgmlType::kF16 || c.type == GgmlType::kBF16) {
    EXPECT_EQ(RoundTrip(c.type, y, rows, cols), y);
  }
}

// Bounds: the expected relative RMSE of each format on Gaussian data with
// headroom, each well below the next coarser format's error.
INSTANTIATE_TEST_SUITE_P(AllTypes, QuantizeRoundTrip,
                         ::testing::Values(ErrorCase{GgmlType::kF32, 0.0},
                                           ErrorCase{GgmlType::kF16, 3e-4},
                                           ErrorCase{GgmlType::kBF16, 3e-3},
                                           ErrorCase{GgmlType::kQ8_0, 8e-3},
                                           ErrorCase{GgmlType::kQ4_0, 0.2},
                                           ErrorCase{GgmlType::kQ4_K, 0.12},
                                           ErrorCase{GgmlType::kQ6_K, 0.03}));

}  // namespace
}  // namespace sluice::engine
