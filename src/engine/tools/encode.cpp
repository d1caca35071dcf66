#include "engine/tools/encode.h"

#include <cctype>
#include <string>

#include "engine/kernels/quantize.h"

namespace sluice::engine::tools {
namespace {

struct Named {
  std::string_view name;
  gguf::GgmlType type;
  uint32_t file_type;  // llama.cpp's enum llama_ftype
};

constexpr Named kTypes[] = {
    {"f32", gguf::GgmlType::kF32, 0},   {"f16", gguf::GgmlType::kF16, 1},
    {"bf16", gguf::GgmlType::kBF16, 32}, {"q8_0", gguf::GgmlType::kQ8_0, 7},
    {"q4_0", gguf::GgmlType::kQ4_0, 2}, {"q4_k", gguf::GgmlType::kQ4_K, 15},  // Q4_K_M
    {"q6_k", gguf::GgmlType::kQ6_K, 18},
};

}  // namespace

std::optional<gguf::GgmlType> ParseWeightType(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Named& n : kTypes) {
    if (n.name == lower) return n.type;
  }
  return std::nullopt;
}

std::string_view WeightTypeFlagName(gguf::GgmlType type) {
  for (const Named& n : kTypes) {
    if (n.type == type) return n.name;
  }
  return gguf::GetGgmlTypeInfo(type).name;
}

gguf::GgmlType StoredType(gguf::GgmlType wanted, int64_t cols) {
  const bool k_quant = wanted == gguf::GgmlType::kQ4_K || wanted == gguf::GgmlType::kQ6_K;
  if (k_quant && cols % gguf::GetGgmlTypeInfo(wanted).block_size != 0) return gguf::GgmlType::kQ8_0;
  return wanted;
}

Status EncodeRows(gguf::GgmlType type, const float* src, int64_t rows, int64_t cols,
                  std::vector<std::byte>* out) {
  return QuantizeRows(type, src, rows, cols, out);
}

uint32_t FileTypeNumber(gguf::GgmlType type) {
  for (const Named& n : kTypes) {
    if (n.type == type) return n.file_type;
  }
  return 0;
}

}  // namespace sluice::engine::tools
