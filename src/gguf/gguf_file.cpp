#include "gguf/gguf_file.h"

#include <fmt/format.h>

#include "gguf/escape.h"

namespace sluice::gguf {

const Value* GgufFile::Find(std::string_view key) const {
  auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &metadata_[it->second].value;
}

Status GgufFile::LookupError(std::string_view key, const Value* found,
                             std::string_view expected) const {
  if (found == nullptr) {
    return Status(ErrorCode::kNotFound,
                  fmt::format("gguf: metadata key \"{}\" not found", EscapeBytes(key, 200)));
  }
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("gguf: metadata key \"{}\" has type {}, expected {}",
                            EscapeBytes(key, 200), TypeDescription(*found), expected));
}

StatusOr<const Array*> GgufFile::GetArray(std::string_view key) const {
  const Value* value = Find(key);
  if (value != nullptr) {
    if (const Array* array = value->get_if<Array>()) return array;
  }
  return LookupError(key, value, "ARRAY");
}

StatusOr<std::span<const std::string_view>> GgufFile::GetStringArray(std::string_view key) const {
  const Value* value = Find(key);
  if (value != nullptr) {
    const Array* array = value->get_if<Array>();
    if (array != nullptr && array->element_type() == ValueType::kString) return array->strings();
  }
  return LookupError(key, value, "ARRAY[STRING]");
}

const TensorInfo* GgufFile::FindTensor(std::string_view name) const {
  auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

StatusOr<const TensorInfo*> GgufFile::GetTensor(std::string_view name) const {
  if (const TensorInfo* t = FindTensor(name)) return t;
  return Status(ErrorCode::kNotFound,
                fmt::format("gguf: tensor \"{}\" not found", EscapeBytes(name, 200)));
}

StatusOr<GgufFile> OpenGguf(const std::string& path) {
  StatusOr<MappedFile> mapping = MappedFile::Open(path);
  if (!mapping.ok()) {
    return Status(mapping.status().code(), "gguf: " + mapping.status().message());
  }
  StatusOr<GgufFile> file = ParseGguf(mapping->bytes());
  if (!file.ok()) {
    // "gguf: offset …" → "gguf: model.gguf: offset …"
    std::string message = file.status().message();
    constexpr std::string_view kPrefix = "gguf: ";
    if (message.starts_with(kPrefix)) message.erase(0, kPrefix.size());
    return Status(file.status().code(), fmt::format("gguf: {}: {}", path, message));
  }
  // The views point into the mapping, whose address a move does not change.
  file->mapping_ = std::move(*mapping);
  return std::move(*file);
}

}  // namespace sluice::gguf
