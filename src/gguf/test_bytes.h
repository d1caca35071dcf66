// Test-only: spelling out GGUF bytes by hand, field by field, from the spec,
// independently of the writer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace sluice::gguf::testing {

class Bytes {
 public:
  Bytes& U8(uint8_t v) { return Put(v); }
  Bytes& U32(uint32_t v) { return Put(v); }
  Bytes& U64(uint64_t v) { return Put(v); }
  Bytes& I16(int16_t v) { return Put(v); }
  Bytes& F32(float v) { return Put(v); }
  Bytes& Raw(std::string_view s) {
    b_.insert(b_.end(), s.begin(), s.end());
    return *this;
  }
  // uint64 length + bytes
  Bytes& Str(std::string_view s) { return U64(s.size()).Raw(s); }
  Bytes& Zeros(size_t n) {
    b_.resize(b_.size() + n, 0);
    return *this;
  }
  Bytes& PadTo(size_t alignment) { return Zeros((alignment - b_.size() % alignment) % alignment); }
  // magic, version, tensor count, kv count
  Bytes& Header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return Raw("GGUF").U32(version).U64(n_tensors).U64(n_kv);
  }

  size_t size() const { return b_.size(); }
  const std::vector<uint8_t>& bytes() const { return b_; }

 private:
  template <typename T>
  Bytes& Put(T v) {
    uint8_t raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T));  // the test host is little-endian (value.h asserts it)
    b_.insert(b_.end(), raw, raw + sizeof(T));
    return *this;
  }
  std::vector<uint8_t> b_;
};

}  // namespace sluice::gguf::testing
