// GgufWriter: builds a GGUF v3 file from metadata and tensors.
//
// Metadata is written in the order it is set, tensors in the order they are
// added. The writer copies everything it is given (keys, values, tensor bytes),
// so nothing passed in needs to outlive the call. Layout, as llama.cpp's and
// gguf-py's writers do it: header, kv pairs, tensor infos, zero padding to the
// alignment, then each tensor's data followed by zero padding to the
// alignment (after the last tensor too). Not thread-safe; one writer per file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/status.h"
#include "gguf/ggml_type.h"
#include "gguf/value.h"

namespace sluice::gguf {

class GgufWriter {
 public:
  GgufWriter() = default;

  // Adds a key/value pair. Errors (kInvalidArgument): the key was already set;
  // "general.alignment" that is not a UINT32 power of two. Setting
  // general.alignment also makes the writer use that alignment.
  Status Set(std::string_view key, const Value& value);

  // Conveniences for the common cases.
  Status SetString(std::string_view key, std::string_view value) {
    return Set(key, Value(value));
  }
  Status SetU32(std::string_view key, uint32_t value) { return Set(key, Value(value)); }
  Status SetStringArray(std::string_view key, std::span<const std::string> values);
  template <typename T>
  Status SetArray(std::string_view key, std::span<const T> values) {
    return Set(key, Value(Array::Of(values)));
  }

  // Adds a tensor. `ne` has 1..4 dims, ne[0] fastest-varying; `data` must be
  // exactly the tensor's byte size for `type`. Errors (kInvalidArgument):
  // duplicate name, bad dims, size mismatch.
  Status AddTensor(std::string_view name, GgmlType type, std::span<const uint64_t> ne,
                   std::span<const uint8_t> data);

  uint32_t alignment() const { return alignment_; }

  // The whole file in memory.
  std::vector<uint8_t> Serialize() const;

  // Writes the file atomically: to a temporary file in the same directory,
  // fsync, then rename over `path`. On error `path` is untouched and the
  // temporary file is removed.
  Status WriteFile(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    GgmlType type;
    std::vector<uint64_t> ne;
    std::vector<uint8_t> data;
    uint64_t offset;  // in the data section
  };

  // Calls sink(bytes) for consecutive pieces of the file.
  template <typename Sink>
  bool Emit(Sink&& sink) const;

  uint32_t alignment_ = 32;
  uint64_t n_kv_ = 0;
  std::vector<uint8_t> kv_bytes_;  // encoded kv pairs, in order
  std::unordered_set<std::string> keys_;
  std::vector<Tensor> tensors_;
  std::unordered_set<std::string> tensor_names_;
  uint64_t data_size_ = 0;  // unpadded end of the last tensor in the data section
};

}  // namespace sluice::gguf
