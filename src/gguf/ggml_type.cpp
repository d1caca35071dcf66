#include "gguf/ggml_type.h"

#include <array>
#include <cassert>
#include <limits>

#include <fmt/format.h>

namespace sluice::gguf {
namespace {

constexpr uint32_t kQK_K = 256;  // elements per k-quant super-block

// Block sizes and bytes per block from ggml's `type_traits` table
// (ggml/src/ggml.c) and the block structs with their static_asserts in
// ggml/src/ggml-common.h; cross-checked against GGML_QUANT_SIZES in gguf-py's
// constants.py. The one disagreement: gguf-py still lists Q8_1 as 4 + 4 + 32
// bytes (two floats, an old layout), while ggml-common.h has had
// `ggml_half d, s; int8_t qs[32]` = 36 bytes since 2024. We follow ggml.
constexpr std::array<GgmlTypeInfo, 32> kTypes = {{
    {GgmlType::kF32, "F32", 1, 4},
    {GgmlType::kF16, "F16", 1, 2},
    {GgmlType::kQ4_0, "Q4_0", 32, 2 + 16},              // half d; nibbles[16]
    {GgmlType::kQ4_1, "Q4_1", 32, 2 + 2 + 16},          // half d, m; nibbles[16]
    {GgmlType::kQ5_0, "Q5_0", 32, 2 + 4 + 16},          // half d; qh[4]; qs[16]
    {GgmlType::kQ5_1, "Q5_1", 32, 2 + 2 + 4 + 16},      // half d, m; qh[4]; qs[16]
    {GgmlType::kQ8_0, "Q8_0", 32, 2 + 32},              // half d; int8 qs[32]
    {GgmlType::kQ8_1, "Q8_1", 32, 2 + 2 + 32},          // half d, s; int8 qs[32]
    {GgmlType::kQ2_K, "Q2_K", kQK_K, kQK_K / 16 + kQK_K / 4 + 2 + 2},                // 84
    {GgmlType::kQ3_K, "Q3_K", kQK_K, kQK_K / 8 + kQK_K / 4 + 12 + 2},                // 110
    {GgmlType::kQ4_K, "Q4_K", kQK_K, 2 + 2 + 12 + kQK_K / 2},                        // 144
    {GgmlType::kQ5_K, "Q5_K", kQK_K, 2 + 2 + 12 + kQK_K / 8 + kQK_K / 2},            // 176
    {GgmlType::kQ6_K, "Q6_K", kQK_K, kQK_K / 2 + kQK_K / 4 + kQK_K / 16 + 2},        // 210
    {GgmlType::kQ8_K, "Q8_K", kQK_K, 4 + kQK_K + kQK_K / 16 * 2},                    // 292
    {GgmlType::kIQ2_XXS, "IQ2_XXS", kQK_K, 2 + kQK_K / 4},                           // 66
    {GgmlType::kIQ2_XS, "IQ2_XS", kQK_K, 2 + kQK_K / 4 + kQK_K / 32},                // 74
    {GgmlType::kIQ3_XXS, "IQ3_XXS", kQK_K, 2 + kQK_K / 4 + kQK_K / 8},               // 98
    {GgmlType::kIQ1_S, "IQ1_S", kQK_K, 2 + kQK_K / 8 + kQK_K / 16},                  // 50
    {GgmlType::kIQ4_NL, "IQ4_NL", 32, 2 + 16},                                       // 18
    {GgmlType::kIQ3_S, "IQ3_S", kQK_K, 2 + kQK_K / 4 + kQK_K / 8 + kQK_K / 32 + 4},  // 110
    {GgmlType::kIQ2_S, "IQ2_S", kQK_K, 2 + kQK_K / 4 + kQK_K / 16},                  // 82
    {GgmlType::kIQ4_XS, "IQ4_XS", kQK_K, 2 + 2 + kQK_K / 2 + kQK_K / 64},            // 136
    {GgmlType::kI8, "I8", 1, 1},
    {GgmlType::kI16, "I16", 1, 2},
    {GgmlType::kI32, "I32", 1, 4},
    {GgmlType::kI64, "I64", 1, 8},
    {GgmlType::kF64, "F64", 1, 8},
    {GgmlType::kIQ1_M, "IQ1_M", kQK_K, kQK_K / 8 + kQK_K / 16 + kQK_K / 32},  // 56
    {GgmlType::kBF16, "BF16", 1, 2},
    {GgmlType::kTQ1_0, "TQ1_0", kQK_K, 2 + 4 * 13},  // 54
    {GgmlType::kTQ2_0, "TQ2_0", kQK_K, 2 + 64},      // 66
    {GgmlType::kMXFP4, "MXFP4", 32, 1 + 16},         // e8m0 scale; nibbles[16]
}};

}  // namespace

const GgmlTypeInfo* FindGgmlType(uint32_t id) {
  for (const GgmlTypeInfo& info : kTypes) {
    if (static_cast<uint32_t>(info.type) == id) return &info;
  }
  return nullptr;
}

const GgmlTypeInfo& GetGgmlTypeInfo(GgmlType type) {
  const GgmlTypeInfo* info = FindGgmlType(static_cast<uint32_t>(type));
  assert(info != nullptr && "GgmlType outside the enumeration");
  return *info;
}

std::span<const GgmlTypeInfo> AllGgmlTypes() { return kTypes; }

Status ComputeTensorSize(const GgmlTypeInfo& type, std::span<const uint64_t> ne,
                         uint64_t* n_elements, uint64_t* n_bytes) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (ne.empty()) return Status(ErrorCode::kInvalidArgument, "tensor has no dimensions");
  if (ne[0] % type.block_size != 0) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("ne[0] = {} is not a multiple of the {} block size {}", ne[0],
                              type.name, type.block_size));
  }
  uint64_t elements = 1;
  for (size_t i = 0; i < ne.size(); ++i) {
    if (ne[i] > kMax || (ne[i] != 0 && elements > kMax / ne[i])) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("element count overflows int64 at ne[{}] = {}", i, ne[i]));
    }
    elements *= ne[i];
  }
  // bytes = (elements / block_size) * type_size; the division is exact because
  // ne[0] is a multiple of block_size.
  const uint64_t blocks = elements / type.block_size;
  if (blocks > kMax / type.type_size) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("byte size of {} {} elements overflows int64", elements, type.name));
  }
  *n_elements = elements;
  *n_bytes = blocks * type.type_size;
  return Status::Ok();
}

}  // namespace sluice::gguf
