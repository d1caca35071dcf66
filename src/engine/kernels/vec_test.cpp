#include "engine/kernels/vec.h"

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <cmath>
#include <random>
#include <vector>

#include "engine/kernels/fp16.h"

namespace sluice::engine {
namespace {

using internal::Fp16ToFp32;
using internal::Fp32ToFp16;

// Runs `body` once for every SIMD target compiled in and supported here.
template <class Body>
void ForEachTarget(Body body) {
  for (int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    body();
  }
  hwy::SetSupportedTargetsForTest(0);
}

void CheckF16Conversions();
void CheckDotsAndAxpy();

TEST(Vec, F16ConversionsMatchScalarBitForBit) { ForEachTarget(CheckF16Conversions); }
TEST(Vec, DotsAndAxpyMatchDoubleReference) { ForEachTarget(CheckDotsAndAxpy); }

void CheckF16Conversions() {
  std::vector<uint16_t> all(0x10000);
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  std::vector<float> f(all.size());
  F16ToF32(all.data(), f.data(), static_cast<int64_t>(all.size()));
  for (uint32_t i = 0; i < all.size(); ++i) {
    const float ref = Fp16ToFp32(all[i]);
    if (std::isnan(ref)) {
      ASSERT_TRUE(std::isnan(f[i])) << i;
    } else {
      ASSERT_EQ(f[i], ref) << i;
    }
  }
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 100.0f);
  std::vector<float> x(1003);
  for (float& v : x) v = dist(rng);
  x[0] = 1e-7f;   // subnormal half
  x[1] = 70000;   // overflow → inf
  x[2] = -0.0f;
  std::vector<uint16_t> h(x.size());
  F32ToF16(x.data(), h.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(h[i], Fp32ToFp16(x[i])) << i << " " << x[i];
}

void CheckDotsAndAxpy() {
  std::mt19937 rng(4);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int64_t n : {0, 1, 5, 16, 31, 64, 129, 1000}) {
    std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    std::vector<uint16_t> ah(static_cast<size_t>(n));
    for (auto& v : a) v = dist(rng);
    for (auto& v : b) v = dist(rng);
    for (auto& v : y) v = dist(rng);
    for (size_t i = 0; i < ah.size(); ++i) ah[i] = Fp32ToFp16(a[i]);
    double ref32 = 0, ref16 = 0, abs_sum = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      ref32 += static_cast<double>(a[i]) * b[i];
      ref16 += static_cast<double>(Fp16ToFp32(ah[i])) * b[i];
      abs_sum += std::fabs(static_cast<double>(a[i]) * b[i]);
    }
    const double tol = 1e-6 * abs_sum + 1e-7;
    EXPECT_NEAR(DotF32(a.data(), b.data(), n), ref32, tol) << n;
    EXPECT_NEAR(DotF16F32(ah.data(), b.data(), n), ref16, tol) << n;
    std::vector<float> y2 = y;
    AxpyF16(0.75f, ah.data(), y2.data(), n);
    for (size_t i = 0; i < y.size(); ++i) {
      ASSERT_NEAR(y2[i], y[i] + 0.75 * Fp16ToFp32(ah[i]), 1e-6 * (1 + std::fabs(y[i]))) << i;
    }
  }
}

}  // namespace
}  // namespace sluice::engine
