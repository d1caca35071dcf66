// GGUF metadata values: the thirteen value types of the format and a value
// that views its payload instead of owning it.
//
// A Value read from a file borrows the file's bytes (strings and numeric array
// payloads point into the mapping); a Value built by a caller for the writer
// borrows the caller's strings and arrays. Either way the borrowed bytes must
// outlive the Value. Only the small bookkeeping (the vector of string views of
// a string array, the elements of an array of arrays) is owned. Values are
// immutable after construction and safe to read from several threads.
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::gguf {

static_assert(std::endian::native == std::endian::little,
              "GGUF payloads are little-endian and are viewed in place");

// The value type ids of the GGUF spec (gguf_metadata_value_type).
enum class ValueType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

inline constexpr uint32_t kNumValueTypes = 13;

// "UINT8", "FLOAT32", "STRING", "ARRAY", … as the spec spells them.
std::string_view ValueTypeName(ValueType type);

// Bytes of one encoded element of a fixed-size type (numbers, bool); 0 for
// STRING and ARRAY.
size_t FixedSize(ValueType type);

// The ValueType of a C++ scalar type (uint8_t → kUint8, float → kFloat32, …).
template <typename T>
constexpr ValueType ValueTypeOf();

class Value;

// A GGUF array: an element type and `size()` elements. Numeric and bool
// elements stay as their packed little-endian bytes; strings are a vector of
// views; arrays of arrays hold their element arrays.
class Array {
 public:
  Array() = default;  // an empty UINT8 array

  // Borrows `values` (must outlive the Array). T is one of the numeric types or bool.
  template <typename T>
  static Array Of(std::span<const T> values) {
    Array a;
    a.element_type_ = ValueTypeOf<T>();
    a.size_ = values.size();
    a.raw_ = std::as_bytes(values);
    return a;
  }
  // Borrows the bytes the views point to.
  static Array OfStrings(std::vector<std::string_view> strings);
  static Array OfArrays(std::vector<Array> arrays);
  // Packed little-endian elements of a fixed-size type; raw.size() must be a
  // multiple of FixedSize(element_type). Used by the parser.
  static Array OfRaw(ValueType element_type, std::span<const std::byte> raw);

  ValueType element_type() const { return element_type_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Payload of a fixed-size element type (empty for strings and arrays).
  std::span<const std::byte> raw() const { return raw_; }
  // Elements of a STRING array (empty otherwise).
  std::span<const std::string_view> strings() const { return strings_; }
  // Elements of an ARRAY array (empty otherwise).
  std::span<const Array> arrays() const { return arrays_; }

  // Element i of a fixed-size array; T must match element_type() and i < size().
  // Copies the bytes out, so unaligned payloads in a mapping are fine.
  template <typename T>
  T At(size_t i) const {
    assert(ValueTypeOf<T>() == element_type_ && i < size_);
    T v;
    std::memcpy(&v, raw_.data() + i * sizeof(T), sizeof(T));
    return v;
  }
  // All elements of a fixed-size array as a vector; T must match element_type().
  template <typename T>
  std::vector<T> ToVector() const {
    assert(ValueTypeOf<T>() == element_type_);
    std::vector<T> out(size_);
    if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> is packed
      for (size_t i = 0; i < size_; ++i) out[i] = raw_[i] != std::byte{0};
    } else if (size_ != 0) {
      std::memcpy(out.data(), raw_.data(), size_ * sizeof(T));
    }
    return out;
  }

  // Deep equality of element type and elements (bytes for numbers, so NaNs compare by bits).
  friend bool operator==(const Array& a, const Array& b);

 private:
  ValueType element_type_ = ValueType::kUint8;
  size_t size_ = 0;
  std::span<const std::byte> raw_;
  std::vector<std::string_view> strings_;
  std::vector<Array> arrays_;
};

// One metadata value. The variant's index is the ValueType id, so type() is free.
class Value {
 public:
  using Storage = std::variant<uint8_t, int8_t, uint16_t, int16_t, uint32_t, int32_t, float, bool,
                               std::string_view, Array, uint64_t, int64_t, double>;

  Value() = default;  // UINT8 0
  // Exactly one of the Storage alternatives; no implicit conversions, so
  // Value(uint32_t{7}) and Value(std::string_view("x")) say what they store.
  template <typename T>
    requires(!std::is_same_v<std::remove_cvref_t<T>, Value> &&
             std::is_constructible_v<Storage, std::in_place_type_t<std::remove_cvref_t<T>>, T>)
  explicit Value(T&& v) : v_(std::in_place_type<std::remove_cvref_t<T>>, std::forward<T>(v)) {}

  ValueType type() const { return static_cast<ValueType>(v_.index()); }

  // The payload when it has type T (uint32_t, float, std::string_view, Array, …), else nullptr.
  template <typename T>
  const T* get_if() const {
    return std::get_if<T>(&v_);
  }
  const Storage& storage() const { return v_; }

  friend bool operator==(const Value& a, const Value& b);

 private:
  Storage v_;
};

// "UINT32", "STRING", "ARRAY[STRING]", "ARRAY[ARRAY]": how errors and `gguf info` name a type.
std::string TypeDescription(const Value& value);

template <typename T>
constexpr ValueType ValueTypeOf() {
  if constexpr (std::is_same_v<T, uint8_t>) return ValueType::kUint8;
  else if constexpr (std::is_same_v<T, int8_t>) return ValueType::kInt8;
  else if constexpr (std::is_same_v<T, uint16_t>) return ValueType::kUint16;
  else if constexpr (std::is_same_v<T, int16_t>) return ValueType::kInt16;
  else if constexpr (std::is_same_v<T, uint32_t>) return ValueType::kUint32;
  else if constexpr (std::is_same_v<T, int32_t>) return ValueType::kInt32;
  else if constexpr (std::is_same_v<T, float>) return ValueType::kFloat32;
  else if constexpr (std::is_same_v<T, bool>) return ValueType::kBool;
  else if constexpr (std::is_same_v<T, uint64_t>) return ValueType::kUint64;
  else if constexpr (std::is_same_v<T, int64_t>) return ValueType::kInt64;
  else if constexpr (std::is_same_v<T, double>) return ValueType::kFloat64;
  else static_assert(sizeof(T) == 0, "not a fixed-size GGUF value type");
}

}  // namespace sluice::gguf
