#include "gguf/value.h"

#include <algorithm>
#include <string>

namespace sluice::gguf {

static_assert(sizeof(bool) == 1 && sizeof(float) == 4 && sizeof(double) == 8,
              "GGUF bool, FLOAT32 and FLOAT64 are viewed in place");

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kUint8: return "UINT8";
    case ValueType::kInt8: return "INT8";
    case ValueType::kUint16: return "UINT16";
    case ValueType::kInt16: return "INT16";
    case ValueType::kUint32: return "UINT32";
    case ValueType::kInt32: return "INT32";
    case ValueType::kFloat32: return "FLOAT32";
    case ValueType::kBool: return "BOOL";
    case ValueType::kString: return "STRING";
    case ValueType::kArray: return "ARRAY";
    case ValueType::kUint64: return "UINT64";
    case ValueType::kInt64: return "INT64";
    case ValueType::kFloat64: return "FLOAT64";
  }
  return "?";
}

size_t FixedSize(ValueType type) {
  switch (type) {
    case ValueType::kUint8:
    case ValueType::kInt8:
    case ValueType::kBool: return 1;
    case ValueType::kUint16:
    case ValueType::kInt16: return 2;
    case ValueType::kUint32:
    case ValueType::kInt32:
    case ValueType::kFloat32: return 4;
    case ValueType::kUint64:
    case ValueType::kInt64:
    case ValueType::kFloat64: return 8;
    case ValueType::kString:
    case ValueType::kArray: return 0;
  }
  return 0;
}

Array Array::OfStrings(std::vector<std::string_view> strings) {
  Array a;
  a.element_type_ = ValueType::kString;
  a.size_ = strings.size();
  a.strings_ = std::move(strings);
  return a;
}

Array Array::OfArrays(std::vector<Array> arrays) {
  Array a;
  a.element_type_ = ValueType::kArray;
  a.size_ = arrays.size();
  a.arrays_ = std::move(arrays);
  return a;
}

Array Array::OfRaw(ValueType element_type, std::span<const std::byte> raw) {
  assert(FixedSize(element_type) != 0 && raw.size() % FixedSize(element_type) == 0);
  Array a;
  a.element_type_ = element_type;
  a.size_ = raw.size() / FixedSize(element_type);
  a.raw_ = raw;
  return a;
}

bool operator==(const Array& a, const Array& b) {
  if (a.element_type_ != b.element_type_ || a.size_ != b.size_) return false;
  switch (a.element_type_) {
    case ValueType::kString: return a.strings_ == b.strings_;
    case ValueType::kArray: return a.arrays_ == b.arrays_;
    default:
      return std::equal(a.raw_.begin(), a.raw_.end(), b.raw_.begin(), b.raw_.end());
  }
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  // Floats compare by bits so that a NaN read back equals the NaN written.
  if (const float* fa = a.get_if<float>()) {
    return std::bit_cast<uint32_t>(*fa) == std::bit_cast<uint32_t>(*b.get_if<float>());
  }
  if (const double* da = a.get_if<double>()) {
    return std::bit_cast<uint64_t>(*da) == std::bit_cast<uint64_t>(*b.get_if<double>());
  }
  return a.storage() == b.storage();
}

std::string TypeDescription(const Value& value) {
  std::string out(ValueTypeName(value.type()));
  if (const Array* array = value.get_if<Array>()) {
    out += '[';
    out += ValueTypeName(array->element_type());
    out += ']';
  }
  return out;
}

}  // namespace sluice::gguf
