#include "gguf/ggml_type.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice::gguf {
namespace {

struct Expected {
  uint32_t id;
  std::string_view name;
  uint32_t block_size;
  uint32_t type_size;
};

// Bytes per block written out as numbers (the table in ggml_type.cpp builds
// them from the block structs), from ggml-common.h's static_asserts.
TEST(GgmlType, BlockLayouts) {
  const Expected kExpected[] = {
      {0, "F32", 1, 4},       {1, "F16", 1, 2},       {2, "Q4_0", 32, 18},
      {3, "Q4_1", 32, 20},    {6, "Q5_0", 32, 22},    {7, "Q5_1", 32, 24},
      {8, "Q8_0", 32, 34},    {9, "Q8_1", 32, 36},    {10, "Q2_K", 256, 84},
      {11, "Q3_K", 256, 110}, {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176},
      {14, "Q6_K", 256, 210}, {15, "Q8_K", 256, 292}, {16, "IQ2_XXS", 256, 66},
      {17, "IQ2_XS", 256, 74}, {18, "IQ3_XXS", 256, 98}, {19, "IQ1_S", 256, 50},
      {20, "IQ4_NL", 32, 18}, {21, "IQ3_S", 256, 110}, {22, "IQ2_S", 256, 82},
      {23, "IQ4_XS", 256, 136}, {24, "I8", 1, 1},     {25, "I16", 1, 2},
      {26, "I32", 1, 4},      {27, "I64", 1, 8},      {28, "F64", 1, 8},
      {29, "IQ1_M", 256, 56}, {30, "BF16", 1, 2},     {34, "TQ1_0", 256, 54},
      {35, "TQ2_0", 256, 66}, {39, "MXFP4", 32, 17},
  };
  EXPECT_EQ(AllGgmlTypes().size(), std::size(kExpected));
  for (const Expected& e : kExpected) {
    const GgmlTypeInfo* info = FindGgmlType(e.id);
    ASSERT_NE(info, nullptr) << e.name;
    EXPECT_EQ(static_cast<uint32_t>(info->type), e.id);
    EXPECT_EQ(info->name, e.name);
    EXPECT_EQ(info->block_size, e.block_size) << e.name;
    EXPECT_EQ(info->type_size, e.type_size) << e.name;
  }
}

TEST(GgmlType, RemovedAndUnknownIdsAreNotFound) {
  for (uint32_t id : {4u, 5u, 31u, 32u, 33u, 36u, 37u, 38u, 40u, 1000u}) {
    EXPECT_EQ(FindGgmlType(id), nullptr) << id;
  }
}

TEST(GgmlType, TensorSize) {
  uint64_t n_elements = 0, n_bytes = 0;
  const uint64_t ne[] = {4096, 32000};
  ASSERT_TRUE(ComputeTensorSize(GetGgmlTypeInfo(GgmlType::kQ4_K), ne, &n_elements, &n_bytes).ok());
  EXPECT_EQ(n_elements, 4096u * 32000u);
  EXPECT_EQ(n_bytes, 4096u / 256 * 144 * 32000u);
  const uint64_t odd[] = {100};
  Status s = ComputeTensorSize(GetGgmlTypeInfo(GgmlType::kQ8_0), odd, &n_elements, &n_bytes);
  EXPECT_EQ(s.message(), "ne[0] = 100 is not a multiple of the Q8_0 block size 32");
  const uint64_t zero[] = {0, 7};
  ASSERT_TRUE(ComputeTensorSize(GetGgmlTypeInfo(GgmlType::kF16), zero, &n_elements, &n_bytes).ok());
  EXPECT_EQ(n_bytes, 0u);
  // Bytes overflow even though elements fit: 2^62 F64 elements.
  const uint64_t big[] = {uint64_t{1} << 62};
  EXPECT_THAT(ComputeTensorSize(GetGgmlTypeInfo(GgmlType::kF64), big, &n_elements, &n_bytes)
                  .message(),
              ::testing::HasSubstr("overflows"));
}

}  // namespace
}  // namespace sluice::gguf
