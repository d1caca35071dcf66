// Known-answer tests of the block layouts: hand-built blocks through
// DequantizeRow, and the fp16/bf16 conversions against the compiler's own.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "engine/kernels/blocks.h"
#include "engine/kernels/fp16.h"
#include "engine/kernels/matmul.h"

namespace sluice::engine {
namespace {

using gguf::GgmlType;
using internal::Fp16ToFp32;
using internal::Fp32ToFp16;

std::vector<float> Dequantize(GgmlType type, const void* data, int64_t cols) {
  Weight w{type, static_cast<const std::byte*>(data), 1, cols};
  EXPECT_TRUE(CheckWeight(w).ok());
  std::vector<float> out(static_cast<size_t>(cols));
  DequantizeRow(w, 0, out.data());
  return out;
}

TEST(Fp16, KnownValues) {
  EXPECT_EQ(Fp16ToFp32(0x3C00), 1.0f);
  EXPECT_EQ(Fp16ToFp32(0xC000), -2.0f);
  EXPECT_EQ(Fp16ToFp32(0x7BFF), 65504.0f);
  EXPECT_EQ(Fp16ToFp32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(Fp16ToFp32(0x0400), std::ldexp(1.0f, -14));
  EXPECT_TRUE(std::isinf(Fp16ToFp32(0xFC00)));
  EXPECT_TRUE(std::isnan(Fp16ToFp32(0x7E00)));
  EXPECT_EQ(Fp32ToFp16(1.0f), 0x3C00);
  EXPECT_EQ(Fp32ToFp16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);      // tie → even
  EXPECT_EQ(Fp32ToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02);  // tie → even (up)
  EXPECT_EQ(Fp32ToFp16(65519.0f), 0x7BFF);
  EXPECT_EQ(Fp32ToFp16(65520.0f), 0x7C00);  // rounds to infinity
  EXPECT_EQ(Fp32ToFp16(-0.0f), 0x8000);
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.0f, -25)), 0x0000);  // tie to even zero
  EXPECT_EQ(Fp32ToFp16(std::ldexp(1.5f, -25)), 0x0001);
  EXPECT_EQ(Fp32ToFp16(std::nanf("")) & 0x7E00, 0x7E00);
}

TEST(Fp16, RoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = Fp16ToFp32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(Fp32ToFp16(f), h) << std::hex << h;
  }
}

#ifdef __FLT16_MAX__
// The compiler's _Float16 conversion is IEEE round-to-nearest-even, as is
// ggml's (F16C or its software routine): an independent reference.
TEST(Fp16, MatchesCompilerFloat16OnRandomFloats) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 2000000; ++i) {
    // Bias toward the half range: exponents 100..145 cover subnormals to overflow.
    uint32_t u = bits(rng);
    if (i % 2 == 0) u = (u & 0x807FFFFFu) | ((100u + (u >> 8) % 46u) << 23);
    const float f = std::bit_cast<float>(u);
    if (std::isnan(f)) continue;
    const _Float16 h = static_cast<_Float16>(f);
    ASSERT_EQ(Fp32ToFp16(f), std::bit_cast<uint16_t>(h)) << f;
  }
}
#endif

TEST(Bf16, KnownValues) {
  EXPECT_EQ(internal::Bf16ToFp32(0x3F80), 1.0f);
  EXPECT_EQ(internal::Bf16ToFp32(0xC040), -3.0f);
  EXPECT_EQ(internal::Fp32ToBf16(1.0f), 0x3F80);
  EXPECT_EQ(internal::Fp32ToBf16(std::bit_cast<float>(0x3F808000u)), 0x3F80);  // tie → even
  EXPECT_EQ(internal::Fp32ToBf16(std::bit_cast<float>(0x3F818000u)), 0x3F82);  // tie → even
  EXPECT_EQ(internal::Fp32ToBf16(std::bit_cast<float>(0x3F808001u)), 0x3F81);
  EXPECT_EQ(internal::Fp32ToBf16(std::bit_cast<float>(0x7F800001u)), 0x7FC0);  // quiet NaN
}

TEST(Blocks, F16AndBf16Rows) {
  const uint16_t f16[2] = {0x3C00, 0xC000};
  EXPECT_EQ(Dequantize(GgmlType::kF16, f16, 2), (std::vector<float>{1.0f, -2.0f}));
  const uint16_t bf16[2] = {0x3F80, 0xC040};
  EXPECT_EQ(Dequantize(GgmlType::kBF16, bf16, 2), (std::vector<float>{1.0f, -3.0f}));
}

TEST(Blocks, Q8_0) {
  unsigned char raw[34];
  raw[0] = 0x00;  // d = 0x3800 = 0.5, little-endian
  raw[1] = 0x38;
  for (int j = 0; j < 32; ++j) raw[2 + j] = static_cast<unsigned char>(static_cast<int8_t>(j * 8 - 128));
  const std::vector<float> y = Dequantize(GgmlType::kQ8_0, raw, 32);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(y[j], 0.5f * static_cast<float>(j * 8 - 128)) << j;
}

TEST(Blocks, Q4_0) {
  unsigned char raw[18];
  raw[0] = 0x00;  // d = 0x4000 = 2.0
  raw[1] = 0x40;
  for (int j = 0; j < 16; ++j) raw[2 + j] = static_cast<unsigned char>(j | ((15 - j) << 4));
  const std::vector<float> y = Dequantize(GgmlType::kQ4_0, raw, 32);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(y[j], 2.0f * static_cast<float>(j - 8)) << j;        // low nibbles: 0..15
    EXPECT_EQ(y[16 + j], 2.0f * static_cast<float>(7 - j)) << j;   // high nibbles: 16..31
  }
}

TEST(Blocks, Q4_K) {
  // Sub-block scales/mins with high bits set in the last four, packed by hand
  // per ggml's get_scale_min_k4.
  const int sc[8] = {1, 2, 3, 63, 17, 33, 48, 63};
  const int mn[8] = {0, 5, 10, 63, 20, 40, 1, 62};
  unsigned char raw[144] = {};
  raw[0] = 0x00;  // d = 0.5
  raw[1] = 0x38;
  raw[2] = 0x00;  // dmin = 0.25
  raw[3] = 0x34;
  unsigned char* scales = raw + 4;
  for (int j = 0; j < 4; ++j) {
    scales[j] = static_cast<unsigned char>(sc[j] | ((sc[j + 4] >> 4) << 6));
    scales[j + 4] = static_cast<unsigned char>(mn[j] | ((mn[j + 4] >> 4) << 6));
    scales[j + 8] = static_cast<unsigned char>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
  }
  unsigned char* qs = raw + 16;
  for (int i = 0; i < 128; ++i) qs[i] = static_cast<unsigned char>((i * 7) & 0xFF);
  const std::vector<float> y = Dequantize(GgmlType::kQ4_K, raw, 256);
  for (int e = 0; e < 256; ++e) {
    const int g = e / 64, l = e % 32, high = (e % 64) / 32;
    const int q = high ? qs[32 * g + l] >> 4 : qs[32 * g + l] & 0xF;
    const int j = e / 32;
    const float expect = 0.5f * static_cast<float>(sc[j]) * static_cast<float>(q) -
                         0.25f * static_cast<float>(mn[j]);
    EXPECT_EQ(y[e], expect) << e;
  }
  // Spot values: element 0 is q=0 in sub-block 0 → −0.25·0; element 32 is the
  // high nibble of qs[0]=0 → −0.25·5; element 1 is qs[1]=7 → 0.5·1·7.
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[32], -1.25f);
  EXPECT_EQ(y[1], 3.5f);
}

TEST(Blocks, Q6_K) {
  unsigned char raw[210] = {};
  unsigned char* ql = raw;
  unsigned char* qh = raw + 128;
  int8_t* scales = reinterpret_cast<int8_t*>(raw + 192);
  raw[208] = 0x00;  // d = 0.5
  raw[209] = 0x38;
  for (int s = 0; s < 16; ++s) scales[s] = static_cast<int8_t>(s * 9 - 70);
  // 6-bit q of element e, placed per the layout in blocks.h.
  auto q_of = [](int e) { return (e * 37 + 11) % 64; };
  for (int e = 0; e < 256; ++e) {
    const int h = e / 128, k = (e % 128) / 32, l = e % 32;
    const int q = q_of(e);
    unsigned char& low = ql[64 * h + l + (k % 2) * 32];
    low = static_cast<unsigned char>(low | ((q & 0xF) << (k / 2 * 4)));
    qh[32 * h + l] = static_cast<unsigned char>(qh[32 * h + l] | ((q >> 4) << (2 * k)));
  }
  const std::vector<float> y = Dequantize(GgmlType::kQ6_K, raw, 256);
  for (int e = 0; e < 256; ++e) {
    const float expect = 0.5f * static_cast<float>(scales[e / 16]) * static_cast<float>(q_of(e) - 32);
    EXPECT_EQ(y[e], expect) << e;
  }
}

}  // namespace
}  // namespace sluice::engine
