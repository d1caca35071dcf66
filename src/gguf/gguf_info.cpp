#include "gguf/gguf_info.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "gguf/escape.h"

namespace sluice::gguf {
namespace {

constexpr size_t kMaxStringBytes = 120;
constexpr size_t kShownElements = 8;  // arrays longer than this show their first kShownElements

std::string Quote(std::string_view s) { return "\"" + EscapeBytes(s, kMaxStringBytes) + "\""; }

std::string FormatArray(const Array& array);

std::string FormatElement(const Array& array, size_t i) {
  switch (array.element_type()) {
    case ValueType::kUint8: return fmt::format("{}", array.At<uint8_t>(i));
    case ValueType::kInt8: return fmt::format("{}", array.At<int8_t>(i));
    case ValueType::kUint16: return fmt::format("{}", array.At<uint16_t>(i));
    case ValueType::kInt16: return fmt::format("{}", array.At<int16_t>(i));
    case ValueType::kUint32: return fmt::format("{}", array.At<uint32_t>(i));
    case ValueType::kInt32: return fmt::format("{}", array.At<int32_t>(i));
    case ValueType::kFloat32: return fmt::format("{}", array.At<float>(i));
    case ValueType::kBool: return array.At<bool>(i) ? "true" : "false";
    case ValueType::kUint64: return fmt::format("{}", array.At<uint64_t>(i));
    case ValueType::kInt64: return fmt::format("{}", array.At<int64_t>(i));
    case ValueType::kFloat64: return fmt::format("{}", array.At<double>(i));
    case ValueType::kString: return Quote(array.strings()[i]);
    case ValueType::kArray: return FormatArray(array.arrays()[i]);
  }
  return "?";
}

// "[3 int32: 1, 2, 3]", "[151936 strings: "!", "\"", … ]"
std::string FormatArray(const Array& array) {
  std::string noun;
  switch (array.element_type()) {
    case ValueType::kString: noun = "strings"; break;
    case ValueType::kArray: noun = "arrays"; break;
    case ValueType::kBool: noun = "bools"; break;
    default: {
      noun = ValueTypeName(array.element_type());
      std::transform(noun.begin(), noun.end(), noun.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    }
  }
  std::string out = fmt::format("[{} {}", array.size(), noun);
  if (array.empty()) return out + "]";
  out += ": ";
  const size_t shown = array.size() > kShownElements ? kShownElements : array.size();
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += FormatElement(array, i);
  }
  if (shown < array.size()) out += ", … ";
  return out + "]";
}

std::string HumanBytes(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  if (n < (uint64_t{1} << 20)) return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
  if (n < (uint64_t{1} << 30)) {
    return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1024.0 * 1024));
  }
  return fmt::format("{:.2f} GiB", static_cast<double>(n) / (1024.0 * 1024 * 1024));
}

}  // namespace

std::string FormatValue(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          return Quote(v);
        } else if constexpr (std::is_same_v<T, Array>) {
          return FormatArray(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else {
          return fmt::format("{}", v);
        }
      },
      value.storage());
}

void PrintGgufInfo(const GgufFile& file, std::ostream& out) {
  out << fmt::format(
      "GGUF v{}: {} metadata keys, {} tensors, alignment {}, data at offset {}, file size {}\n",
      file.version(), file.metadata().size(), file.tensors().size(), file.alignment(),
      file.data_offset(), file.file_size());

  out << "\nmetadata:\n";
  size_t key_width = 0, type_width = 0;
  std::vector<std::string> keys, types;
  for (const MetadataEntry& e : file.metadata()) {
    keys.push_back(EscapeBytes(e.key, kMaxStringBytes));
    types.push_back(TypeDescription(e.value));
    key_width = std::max(key_width, keys.back().size());
    type_width = std::max(type_width, types.back().size());
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    out << fmt::format("  {:<{}}  {:<{}}  {}\n", keys[i], key_width, types[i], type_width,
                       FormatValue(file.metadata()[i].value));
  }

  out << "\ntensors:\n";
  std::vector<std::string> names, dims;
  size_t name_width = 4, dims_width = 4;
  for (const TensorInfo& t : file.tensors()) {
    names.push_back(EscapeBytes(t.name, kMaxStringBytes));
    dims.push_back(fmt::format("[{}]", fmt::join(t.dims(), ", ")));
    name_width = std::max(name_width, names.back().size());
    dims_width = std::max(dims_width, dims.back().size());
  }
  if (file.tensors().empty()) {
    out << "  (none)\n";
    return;
  }
  out << fmt::format("  {:<{}}  {:<7}  {:<{}}  {:>12}  {:>10}  {}\n", "name", name_width, "type",
                     "dims", dims_width, "bytes", "size", "offset");
  uint64_t total = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    const TensorInfo& t = file.tensors()[i];
    total += t.n_bytes;
    out << fmt::format("  {:<{}}  {:<7}  {:<{}}  {:>12}  {:>10}  {}\n", names[i], name_width,
                       GetGgmlTypeInfo(t.type).name, dims[i], dims_width, t.n_bytes,
                       HumanBytes(t.n_bytes), file.data_offset() + t.offset);
  }
  out << fmt::format("  {} tensors, {} ({} bytes) of tensor data\n", names.size(),
                     HumanBytes(total), total);
}

Status PrintGgufInfo(const std::string& path, std::ostream& out) {
  StatusOr<GgufFile> file = OpenGguf(path);
  if (!file.ok()) return file.status();
  PrintGgufInfo(*file, out);
  return Status::Ok();
}

}  // namespace sluice::gguf
