// The GGUF parser: one forward pass over the buffer with a bounds check before
// every read. See docs/gguf.md for the layout and the list of checks.
#include <bit>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "gguf/escape.h"
#include "gguf/gguf_file.h"

namespace sluice::gguf {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as a little-endian uint32
constexpr int kMaxArrayDepth = 8;
// Bytes of bookkeeping (string views of string arrays, Array objects of
// arrays of arrays) the parser allocates in total. A 256k-token vocabulary with
// as many merges needs ~8 MiB; the cap keeps a hostile file from making us
// allocate more than a fixed amount whatever its size.
constexpr uint64_t kMaxBookkeepingBytes = uint64_t{256} << 20;
// Smallest encoding of one metadata kv (empty key, type, 1-byte value) and of
// one tensor info (empty name, n_dims, one dim, type, offset).
constexpr uint64_t kMinKvBytes = 8 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

// Smallest encoding of one array element of `type`.
uint64_t MinElementBytes(ValueType type) {
  if (type == ValueType::kString) return 8;       // length
  if (type == ValueType::kArray) return 4 + 8;    // element type, count
  return FixedSize(type);
}

uint64_t AlignUp(uint64_t x, uint64_t alignment) { return (x + alignment - 1) & ~(alignment - 1); }

}  // namespace

class GgufParser {
 public:
  explicit GgufParser(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  StatusOr<GgufFile> Parse() {
    file_.bytes_ = bytes_;
    SLUICE_RETURN_IF_ERROR(ParseHeader());
    SLUICE_RETURN_IF_ERROR(ParseMetadata());
    SLUICE_RETURN_IF_ERROR(ParseTensorInfos());
    SLUICE_RETURN_IF_ERROR(CheckTensorData());
    return std::move(file_);
  }

 private:
  uint64_t size() const { return bytes_.size(); }
  uint64_t remaining() const { return size() - pos_; }

  // "gguf: offset 1234: metadata key #7 ("k")[3]: <message>"
  Status Error(uint64_t offset, std::string_view message) const {
    std::string where = context_;
    for (uint64_t i : path_) where += fmt::format("[{}]", i);
    if (!where.empty()) where += ": ";
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("gguf: offset {}: {}{}", offset, where, message));
  }

  Status PastEnd(uint64_t offset, std::string_view field, uint64_t n) const {
    return Error(offset, fmt::format("{} ({} bytes) runs past end of file (size {})", field, n,
                                     size()));
  }

  template <typename T>
  Status Read(std::string_view field, T* out) {
    if (remaining() < sizeof(T)) return PastEnd(pos_, field, sizeof(T));
    std::memcpy(out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return Status::Ok();
  }

  // A GGUF string: uint64 length, then that many bytes (no terminator).
  Status ReadString(std::string_view field, std::string_view* out) {
    const uint64_t at = pos_;
    uint64_t length = 0;
    SLUICE_RETURN_IF_ERROR(Read(fmt::format("{} length", field), &length));
    if (length > remaining()) {
      return Error(at, fmt::format("{} length {} runs past end of file (size {})", field, length,
                                   size()));
    }
    *out = std::string_view(reinterpret_cast<const char*>(bytes_.data() + pos_), length);
    pos_ += length;
    return Status::Ok();
  }

  Status ReadValueType(std::string_view field, ValueType* out) {
    const uint64_t at = pos_;
    uint32_t raw = 0;
    SLUICE_RETURN_IF_ERROR(Read(field, &raw));
    if (raw >= kNumValueTypes) {
      return Error(at, fmt::format("{} {} is not a GGUF value type (0..{})", field, raw,
                                   kNumValueTypes - 1));
    }
    *out = static_cast<ValueType>(raw);
    return Status::Ok();
  }

  Status CheckBools(uint64_t at, std::span<const uint8_t> bools) const {
    for (size_t i = 0; i < bools.size(); ++i) {
      if (bools[i] > 1) {
        return Error(at + i, fmt::format("bool {} is neither 0 nor 1", bools[i]));
      }
    }
    return Status::Ok();
  }

  template <typename T>
  Status ReadScalarValue(Value* out) {
    T v{};
    SLUICE_RETURN_IF_ERROR(Read(ValueTypeName(ValueTypeOf<T>()), &v));
    *out = Value(v);
    return Status::Ok();
  }

  Status ReadValue(ValueType type, int depth, Value* out) {
    switch (type) {
      case ValueType::kUint8: return ReadScalarValue<uint8_t>(out);
      case ValueType::kInt8: return ReadScalarValue<int8_t>(out);
      case ValueType::kUint16: return ReadScalarValue<uint16_t>(out);
      case ValueType::kInt16: return ReadScalarValue<int16_t>(out);
      case ValueType::kUint32: return ReadScalarValue<uint32_t>(out);
      case ValueType::kInt32: return ReadScalarValue<int32_t>(out);
      case ValueType::kFloat32: return ReadScalarValue<float>(out);
      case ValueType::kUint64: return ReadScalarValue<uint64_t>(out);
      case ValueType::kInt64: return ReadScalarValue<int64_t>(out);
      case ValueType::kFloat64: return ReadScalarValue<double>(out);
      case ValueType::kBool: {
        const uint64_t at = pos_;
        uint8_t b = 0;
        SLUICE_RETURN_IF_ERROR(Read("BOOL", &b));
        SLUICE_RETURN_IF_ERROR(CheckBools(at, {&b, 1}));
        *out = Value(b == 1);
        return Status::Ok();
      }
      case ValueType::kString: {
        std::string_view s;
        SLUICE_RETURN_IF_ERROR(ReadString("string", &s));
        *out = Value(s);
        return Status::Ok();
      }
      case ValueType::kArray: {
        Array array;
        SLUICE_RETURN_IF_ERROR(ReadArray(depth, &array));
        *out = Value(std::move(array));
        return Status::Ok();
      }
    }
    return Error(pos_, "unreachable value type");
  }

  // An array: uint32 element type, uint64 count, count elements.
  Status ReadArray(int depth, Array* out) {
    if (depth >= kMaxArrayDepth) {
      return Error(pos_, fmt::format("arrays nested more than {} deep", kMaxArrayDepth));
    }
    ValueType element_type{};
    SLUICE_RETURN_IF_ERROR(ReadValueType("array element type", &element_type));
    const uint64_t count_at = pos_;
    uint64_t count = 0;
    SLUICE_RETURN_IF_ERROR(Read("array count", &count));
    // Refuse counts the rest of the file cannot hold before allocating for them.
    const uint64_t min_bytes = MinElementBytes(element_type);
    if (count > remaining() / min_bytes) {
      return Error(count_at,
                   fmt::format("array count {} of {} (at least {} bytes each) runs past end of "
                               "file (size {}, {} bytes left)",
                               count, ValueTypeName(element_type), min_bytes, size(),
                               remaining()));
    }
    if (element_type != ValueType::kString && element_type != ValueType::kArray) {
      const uint64_t n_bytes = count * min_bytes;
      const auto payload = bytes_.subspan(pos_, n_bytes);
      if (element_type == ValueType::kBool) SLUICE_RETURN_IF_ERROR(CheckBools(pos_, payload));
      *out = Array::OfRaw(element_type, std::as_bytes(payload));
      pos_ += n_bytes;
      return Status::Ok();
    }
    const uint64_t element_bookkeeping =
        element_type == ValueType::kString ? sizeof(std::string_view) : sizeof(Array);
    if (count > (kMaxBookkeepingBytes - bookkeeping_bytes_) / element_bookkeeping) {
      return Error(count_at, fmt::format("array count {} of {} goes over the parser's limit of "
                                         "{} MiB for the index of strings and arrays",
                                         count, ValueTypeName(element_type),
                                         kMaxBookkeepingBytes >> 20));
    }
    bookkeeping_bytes_ += count * element_bookkeeping;
    path_.push_back(0);
    if (element_type == ValueType::kString) {
      std::vector<std::string_view> strings(count);
      for (uint64_t i = 0; i < count; ++i) {
        path_.back() = i;
        SLUICE_RETURN_IF_ERROR(ReadString("string", &strings[i]));
      }
      *out = Array::OfStrings(std::move(strings));
    } else {
      std::vector<Array> arrays(count);
      for (uint64_t i = 0; i < count; ++i) {
        path_.back() = i;
        SLUICE_RETURN_IF_ERROR(ReadArray(depth + 1, &arrays[i]));
      }
      *out = Array::OfArrays(std::move(arrays));
    }
    path_.pop_back();
    return Status::Ok();
  }

  Status ParseHeader() {
    context_ = "header";
    uint32_t magic = 0;
    SLUICE_RETURN_IF_ERROR(Read("magic", &magic));
    if (magic != kMagic) {
      return Error(0, fmt::format("not a GGUF file: magic is \"{}\", expected \"GGUF\"",
                                  EscapeBytes(std::string_view(
                                      reinterpret_cast<const char*>(bytes_.data()), 4))));
    }
    const uint64_t version_at = pos_;
    SLUICE_RETURN_IF_ERROR(Read("version", &file_.version_));
    const uint32_t version = file_.version_;
    if (version == 1) {
      return Error(version_at,
                   "GGUF version 1 is not supported (it used 32-bit lengths and counts); "
                   "convert the file to version 3");
    }
    if (version != 2 && version != 3) {
      // A big-endian writer (gguf-py --bigendian) stores 3 as 0x03000000.
      const uint32_t swapped = __builtin_bswap32(version);
      if (swapped == 2 || swapped == 3) {
        return Error(version_at,
                     fmt::format("version field reads {:#010x}: this is a big-endian GGUF v{} "
                                 "file; only little-endian files are supported",
                                 version, swapped));
      }
      return Error(version_at,
                   fmt::format("unsupported GGUF version {} (supported: 2, 3)", version));
    }
    SLUICE_RETURN_IF_ERROR(Read("tensor count", &n_tensors_));
    const uint64_t kv_count_at = pos_;
    SLUICE_RETURN_IF_ERROR(Read("metadata kv count", &n_kv_));
    if (n_kv_ > remaining() / kMinKvBytes) {
      return Error(kv_count_at,
                   fmt::format("metadata kv count {} (at least {} bytes each) runs past end of "
                               "file (size {})",
                               n_kv_, kMinKvBytes, size()));
    }
    return Status::Ok();
  }

  Status ParseMetadata() {
    file_.metadata_.reserve(n_kv_);
    for (uint64_t i = 0; i < n_kv_; ++i) {
      const uint64_t key_at = pos_;
      context_ = fmt::format("metadata key #{}", i);
      std::string_view key;
      SLUICE_RETURN_IF_ERROR(ReadString("key", &key));
      context_ = fmt::format("metadata key #{} (\"{}\")", i, EscapeBytes(key, 200));
      if (auto it = file_.key_index_.find(key); it != file_.key_index_.end()) {
        return Error(key_at, fmt::format("duplicate key (first defined as metadata key #{})",
                                         it->second));
      }
      ValueType type{};
      SLUICE_RETURN_IF_ERROR(ReadValueType("value type", &type));
      const uint64_t value_at = pos_;
      Value value;
      SLUICE_RETURN_IF_ERROR(ReadValue(type, 0, &value));
      if (key == "general.alignment") {
        const uint32_t* alignment = value.get_if<uint32_t>();
        if (alignment == nullptr) {
          return Error(value_at, fmt::format("general.alignment must be UINT32, not {}",
                                             TypeDescription(value)));
        }
        if (*alignment == 0 || !std::has_single_bit(*alignment)) {
          return Error(value_at, fmt::format("general.alignment {} is not a power of two",
                                             *alignment));
        }
        file_.alignment_ = *alignment;
      }
      file_.key_index_.emplace(key, file_.metadata_.size());
      file_.metadata_.push_back(MetadataEntry{key, std::move(value), key_at});
    }
    return Status::Ok();
  }

  Status ParseTensorInfos() {
    context_ = "header";
    if (n_tensors_ > remaining() / kMinTensorInfoBytes) {
      return Error(8, fmt::format("tensor count {} (at least {} bytes each) runs past end of "
                                  "file (size {}, {} bytes left after the metadata)",
                                  n_tensors_, kMinTensorInfoBytes, size(), remaining()));
    }
    file_.tensors_.reserve(n_tensors_);
    offset_field_at_.reserve(n_tensors_);
    for (uint64_t i = 0; i < n_tensors_; ++i) {
      const uint64_t name_at = pos_;
      context_ = fmt::format("tensor #{}", i);
      TensorInfo t;
      SLUICE_RETURN_IF_ERROR(ReadString("name", &t.name));
      context_ = fmt::format("tensor #{} (\"{}\")", i, EscapeBytes(t.name, 200));
      if (auto it = file_.tensor_index_.find(t.name); it != file_.tensor_index_.end()) {
        return Error(name_at,
                     fmt::format("duplicate tensor name (first used by tensor #{})", it->second));
      }
      const uint64_t n_dims_at = pos_;
      SLUICE_RETURN_IF_ERROR(Read("n_dims", &t.n_dims));
      if (t.n_dims == 0 || t.n_dims > kMaxDims) {
        return Error(n_dims_at,
                     fmt::format("n_dims {} is out of range (1..{})", t.n_dims, kMaxDims));
      }
      const uint64_t dims_at = pos_;
      for (uint32_t d = 0; d < t.n_dims; ++d) {
        SLUICE_RETURN_IF_ERROR(Read(fmt::format("ne[{}]", d), &t.ne[d]));
      }
      const uint64_t type_at = pos_;
      uint32_t type_id = 0;
      SLUICE_RETURN_IF_ERROR(Read("type", &type_id));
      const GgmlTypeInfo* type = FindGgmlType(type_id);
      if (type == nullptr) return Error(type_at, fmt::format("unknown ggml type id {}", type_id));
      t.type = type->type;
      Status size_status = ComputeTensorSize(*type, t.dims(), &t.n_elements, &t.n_bytes);
      if (!size_status.ok()) return Error(dims_at, size_status.message());
      const uint64_t offset_at = pos_;
      SLUICE_RETURN_IF_ERROR(Read("offset", &t.offset));
      if (t.offset % file_.alignment_ != 0) {
        return Error(offset_at, fmt::format("data offset {} is not a multiple of the alignment {}",
                                            t.offset, file_.alignment_));
      }
      file_.tensor_index_.emplace(t.name, file_.tensors_.size());
      file_.tensors_.push_back(t);
      offset_field_at_.push_back(offset_at);
    }
    file_.data_offset_ = AlignUp(pos_, file_.alignment_);
    return Status::Ok();
  }

  // Every tensor's bytes lie inside the file. Padding after the last tensor is
  // not required (see docs/gguf.md).
  Status CheckTensorData() {
    const uint64_t data_start = file_.data_offset_;
    for (size_t i = 0; i < file_.tensors_.size(); ++i) {
      TensorInfo& t = file_.tensors_[i];
      context_ = fmt::format("tensor #{} (\"{}\")", i, EscapeBytes(t.name, 200));
      if (data_start > size() || t.offset > size() - data_start ||
          t.n_bytes > size() - data_start - t.offset) {
        return Error(offset_field_at_[i],
                     fmt::format("data at {} + {} ({} bytes) runs past end of file (size {})",
                                 data_start, t.offset, t.n_bytes, size()));
      }
      t.data = bytes_.subspan(data_start + t.offset, t.n_bytes);
    }
    return Status::Ok();
  }

  std::span<const uint8_t> bytes_;
  uint64_t pos_ = 0;
  uint64_t n_tensors_ = 0;
  uint64_t n_kv_ = 0;
  uint64_t bookkeeping_bytes_ = 0;         // see kMaxBookkeepingBytes
  std::string context_;                    // "metadata key #7 (\"k\")", "tensor #2 (\"w\")"
  std::vector<uint64_t> path_;             // element indices inside nested arrays
  std::vector<uint64_t> offset_field_at_;  // per tensor: file offset of its offset field
  GgufFile file_;
};

StatusOr<GgufFile> ParseGguf(std::span<const uint8_t> bytes) { return GgufParser(bytes).Parse(); }

}  // namespace sluice::gguf
