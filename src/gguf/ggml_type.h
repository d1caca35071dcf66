// ggml tensor types: the id stored in a GGUF tensor info, and the block layout
// that decides how many bytes a tensor of that type occupies.
//
// A ggml type packs `block_size` consecutive elements of the fastest-varying
// dimension (ne[0]) into `type_size` bytes; a tensor's rows must therefore hold
// a whole number of blocks. The table is immutable and thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"

namespace sluice::gguf {

// Ids as in ggml.h's `enum ggml_type`. Gaps (4, 5: removed Q4_2/Q4_3; 31-33:
// removed Q4_0_4_4 & co.; 36-38: IQ4_NL_4_4 & co.) are not valid in files.
enum class GgmlType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kQ4_0 = 2,
  kQ4_1 = 3,
  kQ5_0 = 6,
  kQ5_1 = 7,
  kQ8_0 = 8,
  kQ8_1 = 9,
  kQ2_K = 10,
  kQ3_K = 11,
  kQ4_K = 12,
  kQ5_K = 13,
  kQ6_K = 14,
  kQ8_K = 15,
  kIQ2_XXS = 16,
  kIQ2_XS = 17,
  kIQ3_XXS = 18,
  kIQ1_S = 19,
  kIQ4_NL = 20,
  kIQ3_S = 21,
  kIQ2_S = 22,
  kIQ4_XS = 23,
  kI8 = 24,
  kI16 = 25,
  kI32 = 26,
  kI64 = 27,
  kF64 = 28,
  kIQ1_M = 29,
  kBF16 = 30,
  kTQ1_0 = 34,
  kTQ2_0 = 35,
  kMXFP4 = 39,
};

struct GgmlTypeInfo {
  GgmlType type;
  std::string_view name;  // as ggml spells it: "F32", "Q4_K"
  uint32_t block_size;    // elements per block
  uint32_t type_size;     // bytes per block
};

// The layout of type id `id`, or nullptr when the id is not a ggml type we know.
const GgmlTypeInfo* FindGgmlType(uint32_t id);

// The layout of a known type. `type` must be one of the enumerators above.
const GgmlTypeInfo& GetGgmlTypeInfo(GgmlType type);

// Every known type, in id order (for tests and `gguf info`).
std::span<const GgmlTypeInfo> AllGgmlTypes();

// Element count and byte size of a tensor of `type` with dimensions `ne`
// (ne[0] fastest-varying, as in ggml). Fails with kInvalidArgument when ne[0]
// is not a multiple of the block size or when either count overflows int64
// (ggml's own limit). The message names the problem but not the tensor; the
// caller adds that.
Status ComputeTensorSize(const GgmlTypeInfo& type, std::span<const uint64_t> ne,
                         uint64_t* n_elements, uint64_t* n_bytes);

}  // namespace sluice::gguf
