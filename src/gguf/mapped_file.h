// MappedFile: a whole file mapped read-only into memory (mmap, MAP_PRIVATE).
//
// The mapping lives as long as the MappedFile; moving it keeps the same
// address, so views into bytes() stay valid across moves. Reading is
// thread-safe. If another process truncates the file while it is mapped,
// touching the lost pages raises SIGBUS; GGUF models are treated as immutable
// files, as llama.cpp does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"

namespace sluice::gguf {

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  // Maps `path`. Errors: kNotFound when it does not exist, kPermissionDenied
  // when it cannot be read, kInvalidArgument when it is not a regular file or
  // cannot be mapped. An empty file maps to an empty span.
  static StatusOr<MappedFile> Open(const std::string& path);

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  size_t size() const { return size_; }

 private:
  MappedFile(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  void Reset();

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace sluice::gguf
