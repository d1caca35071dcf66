// GgufFile: a parsed, fully validated GGUF v2/v3 file (docs/gguf.md).
//
// Parsing checks every length, count and offset against the buffer, so once a
// GgufFile exists every view it hands out (keys, string values, string-array
// elements, tensor data) lies inside the buffer. Nothing is copied: strings
// and tensor data are views into the bytes the file was parsed from.
//
// Lifetime: a GgufFile from ParseGguf borrows the caller's buffer, which must
// outlive it; one from OpenGguf owns its memory mapping (views stay valid
// for the GgufFile's lifetime, across moves). Move-only; all const methods are
// safe to call from several threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "gguf/ggml_type.h"
#include "gguf/mapped_file.h"
#include "gguf/value.h"

namespace sluice::gguf {

inline constexpr uint32_t kDefaultAlignment = 32;
inline constexpr uint32_t kMaxDims = 4;  // GGML_MAX_DIMS

struct MetadataEntry {
  std::string_view key;
  Value value;
  uint64_t offset = 0;  // file offset of the key's length field
};

struct TensorInfo {
  std::string_view name;
  GgmlType type = GgmlType::kF32;
  uint32_t n_dims = 0;
  std::array<uint64_t, kMaxDims> ne = {1, 1, 1, 1};  // ne[0] varies fastest; unused dims are 1
  uint64_t n_elements = 0;
  uint64_t n_bytes = 0;
  uint64_t offset = 0;              // relative to the data section, a multiple of the alignment
  std::span<const uint8_t> data;    // n_bytes bytes inside the buffer

  std::span<const uint64_t> dims() const { return {ne.data(), n_dims}; }
};

class GgufFile {
 public:
  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;

  uint32_t version() const { return version_; }          // 2 or 3
  uint32_t alignment() const { return alignment_; }      // general.alignment or 32
  uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section
  uint64_t file_size() const { return bytes_.size(); }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // ---- metadata ----
  // Every key/value pair, in file order.
  const std::vector<MetadataEntry>& metadata() const { return metadata_; }
  // The value of `key`, or nullptr.
  const Value* Find(std::string_view key) const;

  // Typed lookups. Errors: kNotFound naming the key when it is absent;
  // kInvalidArgument naming the key, the expected and the actual type when the
  // type differs (no implicit conversions: a UINT64 is not a UINT32).
  StatusOr<uint8_t> GetU8(std::string_view key) const { return Get<uint8_t>(key); }
  StatusOr<int8_t> GetI8(std::string_view key) const { return Get<int8_t>(key); }
  StatusOr<uint16_t> GetU16(std::string_view key) const { return Get<uint16_t>(key); }
  StatusOr<int16_t> GetI16(std::string_view key) const { return Get<int16_t>(key); }
  StatusOr<uint32_t> GetU32(std::string_view key) const { return Get<uint32_t>(key); }
  StatusOr<int32_t> GetI32(std::string_view key) const { return Get<int32_t>(key); }
  StatusOr<uint64_t> GetU64(std::string_view key) const { return Get<uint64_t>(key); }
  StatusOr<int64_t> GetI64(std::string_view key) const { return Get<int64_t>(key); }
  StatusOr<float> GetF32(std::string_view key) const { return Get<float>(key); }
  StatusOr<double> GetF64(std::string_view key) const { return Get<double>(key); }
  StatusOr<bool> GetBool(std::string_view key) const { return Get<bool>(key); }
  // A view into the buffer.
  StatusOr<std::string_view> GetString(std::string_view key) const {
    return Get<std::string_view>(key);
  }
  // Any array; the pointer is valid as long as this GgufFile.
  StatusOr<const Array*> GetArray(std::string_view key) const;
  // The elements of a STRING array, as views into the buffer (no copies).
  StatusOr<std::span<const std::string_view>> GetStringArray(std::string_view key) const;
  // The elements of a numeric array of exactly element type T, copied out
  // (the payload in a mapping need not be aligned for T).
  template <typename T>
  StatusOr<std::vector<T>> GetArrayOf(std::string_view key) const;
  StatusOr<std::vector<float>> GetF32Array(std::string_view key) const {
    return GetArrayOf<float>(key);
  }
  StatusOr<std::vector<int32_t>> GetI32Array(std::string_view key) const {
    return GetArrayOf<int32_t>(key);
  }
  StatusOr<std::vector<uint32_t>> GetU32Array(std::string_view key) const {
    return GetArrayOf<uint32_t>(key);
  }

  template <typename T>
  StatusOr<T> Get(std::string_view key) const;

  // ---- tensors ----
  // Every tensor info, in file order.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // The tensor called `name`, or nullptr.
  const TensorInfo* FindTensor(std::string_view name) const;
  // The tensor called `name`, or kNotFound naming it.
  StatusOr<const TensorInfo*> GetTensor(std::string_view name) const;

 private:
  friend class GgufParser;
  friend StatusOr<GgufFile> OpenGguf(const std::string& path);
  GgufFile() = default;

  // Status for a key that is absent or whose type is not `expected`.
  Status LookupError(std::string_view key, const Value* found, std::string_view expected) const;

  MappedFile mapping_;  // empty unless opened from a path
  std::span<const uint8_t> bytes_;
  uint32_t version_ = 0;
  uint32_t alignment_ = kDefaultAlignment;
  uint64_t data_offset_ = 0;
  std::vector<MetadataEntry> metadata_;
  std::vector<TensorInfo> tensors_;
  std::unordered_map<std::string_view, size_t> key_index_;     // key → metadata_ index
  std::unordered_map<std::string_view, size_t> tensor_index_;  // name → tensors_ index
};

// Parses and validates a GGUF file held in `bytes`, which the result borrows.
// Any malformed input gives kInvalidArgument with a message of the form
//   gguf: offset 1234: metadata key #7 ("tokenizer.ggml.tokens")[12]: string
//   length 4294967295 runs past end of file (size 5000)
// and never reads outside `bytes`. Memory use is bounded by a small multiple of
// bytes.size(), whatever the header claims. This is the fuzzing entry point.
StatusOr<GgufFile> ParseGguf(std::span<const uint8_t> bytes);

// Maps `path` read-only and parses it. kNotFound when the file does not exist;
// otherwise the errors of MappedFile::Open and ParseGguf, prefixed by the path.
StatusOr<GgufFile> OpenGguf(const std::string& path);

// ---- template definitions ----

template <typename T>
StatusOr<T> GgufFile::Get(std::string_view key) const {
  const Value* value = Find(key);
  if (value != nullptr) {
    if (const T* v = value->get_if<T>()) return *v;
  }
  if constexpr (std::is_same_v<T, std::string_view>) {
    return LookupError(key, value, "STRING");
  } else {
    return LookupError(key, value, ValueTypeName(ValueTypeOf<T>()));
  }
}

template <typename T>
StatusOr<std::vector<T>> GgufFile::GetArrayOf(std::string_view key) const {
  const Value* value = Find(key);
  if (value != nullptr) {
    const Array* array = value->get_if<Array>();
    if (array != nullptr && array->element_type() == ValueTypeOf<T>()) {
      return array->ToVector<T>();
    }
  }
  return LookupError(key, value,
                     std::string("ARRAY[") + std::string(ValueTypeName(ValueTypeOf<T>())) + "]");
}

}  // namespace sluice::gguf
