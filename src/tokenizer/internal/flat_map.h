// Open-addressing hash maps for the tokenizer's hot loops: (left id, right id)
// → merge, and byte string → token id. Built once at load, read-only after,
// so concurrent lookups are safe. Linear probing over a power-of-two table at
// most half full; no deletion.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace sluice::tokenizer::internal {

// 64-bit hash of a byte string (wyhash-style multiply-mix over 8-byte words).
inline uint64_t HashBytes(std::string_view s) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = 0x243F6A8885A308D3ull ^ (s.size() * kMul);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  return h;
}

inline uint64_t MixU64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  x ^= x >> 33;
  return x;
}

inline size_t TableSizeFor(size_t n) {
  size_t cap = 16;
  while (cap < n * 2 + 2) cap <<= 1;
  return cap;
}

// The result of merging an adjacent pair: lower rank merges first.
struct Merge {
  int32_t rank = -1;
  int32_t id = -1;
};

// (left id, right id) → Merge.
class PairMap {
 public:
  static uint64_t Key(int32_t left, int32_t right) {
    return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
  }
  void Reserve(size_t n) {
    slots_.assign(TableSizeFor(n), Slot{});
    mask_ = slots_.size() - 1;
  }
  // Keeps the first value inserted for a key; returns false if it was present.
  bool Insert(int32_t left, int32_t right, Merge merge) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t key = Key(left, right);
    for (size_t i = MixU64(key) & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].merge.id < 0) {
        slots_[i] = Slot{key, merge};
        ++size_;
        return true;
      }
      if (slots_[i].key == key) return false;
    }
  }
  // nullptr when the pair never merges.
  const Merge* Find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const uint64_t key = Key(left, right);
    for (size_t i = MixU64(key) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.merge.id < 0) return nullptr;
      if (s.key == key) return &s.merge;
    }
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key = 0;
    Merge merge;
  };
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    Reserve(old.empty() ? 8 : old.size());
    size_ = 0;
    for (const Slot& s : old) {
      if (s.merge.id >= 0) {
        Insert(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key & 0xFFFFFFFFu), s.merge);
      }
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

// Byte string → id. Keys are views into storage the owner keeps alive and
// unmoved (the tokenizer's token strings).
class StringMap {
 public:
  void Reserve(size_t n) {
    slots_.assign(TableSizeFor(n), Slot{});
    mask_ = slots_.size() - 1;
  }
  // Keeps the first id inserted for a key.
  bool Insert(std::string_view key, int32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = HashBytes(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.id < 0) {
        s = Slot{h, key, id};
        ++size_;
        return true;
      }
      if (s.hash == h && s.key == key) return false;
    }
  }
  // -1 when absent.
  int32_t Find(std::string_view key) const {
    if (slots_.empty()) return -1;
    const uint64_t h = HashBytes(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.hash == h && s.key == key) return s.id;
    }
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    std::string_view key;
    int32_t id = -1;
  };
  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    Reserve(old.empty() ? 8 : old.size());
    size_ = 0;
    for (const Slot& s : old) {
      if (s.id >= 0) Insert(s.key, s.id);
    }
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace sluice::tokenizer::internal
