#include "engine/kernels/weight.h"

#include <string>

namespace sluice::engine {

size_t RowBytes(gguf::GgmlType type, int64_t cols) {
  const gguf::GgmlTypeInfo& info = gguf::GetGgmlTypeInfo(type);
  return static_cast<size_t>(cols / info.block_size) * info.type_size;
}

bool IsSupportedWeightType(gguf::GgmlType type) {
  using gguf::GgmlType;
  switch (type) {
    case GgmlType::kF32:
    case GgmlType::kF16:
    case GgmlType::kBF16:
    case GgmlType::kQ8_0:
    case GgmlType::kQ4_0:
    case GgmlType::kQ4_K:
    case GgmlType::kQ6_K:
      return true;
    default:
      return false;
  }
}

Status CheckWeight(const Weight& w) {
  const gguf::GgmlTypeInfo& info = gguf::GetGgmlTypeInfo(w.type);
  if (!IsSupportedWeightType(w.type)) {
    return Status(ErrorCode::kInvalidArgument,
                  "tensor type " + std::string(info.name) +
                      " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
  }
  if (w.rows < 1 || w.cols < 1 || w.cols % info.block_size != 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "shape " + std::to_string(w.rows) + " x " + std::to_string(w.cols) +
                      " is not usable: " + std::string(info.name) + " rows need a positive multiple of " +
                      std::to_string(info.block_size) + " columns");
  }
  if (w.data == nullptr) return Status(ErrorCode::kInvalidArgument, "weight has no data");
  return Status::Ok();
}

}  // namespace sluice::engine
