#include "gguf/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "gguf/escape.h"
#include "gguf/gguf_file.h"

namespace sluice::gguf {
namespace {

constexpr uint32_t kVersion = 3;
constexpr uint8_t kMagic[4] = {'G', 'G', 'U', 'F'};

uint64_t AlignUp(uint64_t x, uint64_t alignment) { return (x + alignment - 1) & ~(alignment - 1); }

template <typename T>
void Put(std::vector<uint8_t>* out, T v) {
  const auto* p = reinterpret_cast<const uint8_t*>(&v);
  out->insert(out->end(), p, p + sizeof(T));
}

void PutString(std::vector<uint8_t>* out, std::string_view s) {
  Put<uint64_t>(out, s.size());
  out->insert(out->end(), s.begin(), s.end());
}

void PutArray(std::vector<uint8_t>* out, const Array& array) {
  Put<uint32_t>(out, static_cast<uint32_t>(array.element_type()));
  Put<uint64_t>(out, array.size());
  switch (array.element_type()) {
    case ValueType::kString:
      for (std::string_view s : array.strings()) PutString(out, s);
      break;
    case ValueType::kArray:
      for (const Array& a : array.arrays()) PutArray(out, a);
      break;
    default: {
      const auto* p = reinterpret_cast<const uint8_t*>(array.raw().data());
      out->insert(out->end(), p, p + array.raw().size());
    }
  }
}

// The value payload (without its type id).
void PutValue(std::vector<uint8_t>* out, const Value& value) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          PutString(out, v);
        } else if constexpr (std::is_same_v<T, Array>) {
          PutArray(out, v);
        } else if constexpr (std::is_same_v<T, bool>) {
          Put<uint8_t>(out, v ? 1 : 0);
        } else {
          Put<T>(out, v);
        }
      },
      value.storage());
}

Status WriteAll(int fd, std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status(ErrorCode::kInternal, std::strerror(errno));
    }
    bytes = bytes.subspan(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status GgufWriter::Set(std::string_view key, const Value& value) {
  if (keys_.contains(std::string(key))) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("gguf writer: duplicate metadata key \"{}\"", EscapeBytes(key)));
  }
  if (key == "general.alignment") {
    const uint32_t* alignment = value.get_if<uint32_t>();
    if (alignment == nullptr || *alignment == 0 || !std::has_single_bit(*alignment)) {
      return Status(ErrorCode::kInvalidArgument,
                    "gguf writer: general.alignment must be a UINT32 power of two");
    }
    if (!tensors_.empty()) {
      return Status(ErrorCode::kInvalidArgument,
                    "gguf writer: set general.alignment before adding tensors");
    }
    alignment_ = *alignment;
  }
  keys_.emplace(key);
  PutString(&kv_bytes_, key);
  Put<uint32_t>(&kv_bytes_, static_cast<uint32_t>(value.type()));
  PutValue(&kv_bytes_, value);
  ++n_kv_;
  return Status::Ok();
}

Status GgufWriter::SetStringArray(std::string_view key, std::span<const std::string> values) {
  std::vector<std::string_view> views(values.begin(), values.end());
  return Set(key, Value(Array::OfStrings(std::move(views))));
}

Status GgufWriter::AddTensor(std::string_view name, GgmlType type, std::span<const uint64_t> ne,
                             std::span<const uint8_t> data) {
  const std::string quoted = fmt::format("gguf writer: tensor \"{}\"", EscapeBytes(name));
  if (tensor_names_.contains(std::string(name))) {
    return Status(ErrorCode::kInvalidArgument, quoted + ": duplicate tensor name");
  }
  if (ne.empty() || ne.size() > kMaxDims) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: {} dims, expected 1..{}", quoted, ne.size(), kMaxDims));
  }
  const GgmlTypeInfo* info = FindGgmlType(static_cast<uint32_t>(type));
  if (info == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: unknown ggml type id {}", quoted, static_cast<uint32_t>(type)));
  }
  uint64_t n_elements = 0, n_bytes = 0;
  Status size = ComputeTensorSize(*info, ne, &n_elements, &n_bytes);
  if (!size.ok()) return Status(ErrorCode::kInvalidArgument, quoted + ": " + size.message());
  if (data.size() != n_bytes) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("{}: {} bytes given, {} with {} elements takes {}", quoted,
                              data.size(), info->name, n_elements, n_bytes));
  }
  const uint64_t offset = tensors_.empty() ? 0 : AlignUp(data_size_, alignment_);
  tensors_.push_back(Tensor{std::string(name), type, std::vector<uint64_t>(ne.begin(), ne.end()),
                            std::vector<uint8_t>(data.begin(), data.end()), offset});
  tensor_names_.emplace(name);
  data_size_ = offset + n_bytes;
  return Status::Ok();
}

template <typename Sink>
bool GgufWriter::Emit(Sink&& sink) const {
  std::vector<uint8_t> head;
  head.insert(head.end(), kMagic, kMagic + 4);
  Put<uint32_t>(&head, kVersion);
  Put<uint64_t>(&head, tensors_.size());
  Put<uint64_t>(&head, n_kv_);
  head.insert(head.end(), kv_bytes_.begin(), kv_bytes_.end());
  for (const Tensor& t : tensors_) {
    PutString(&head, t.name);
    Put<uint32_t>(&head, static_cast<uint32_t>(t.ne.size()));
    for (uint64_t n : t.ne) Put<uint64_t>(&head, n);
    Put<uint32_t>(&head, static_cast<uint32_t>(t.type));
    Put<uint64_t>(&head, t.offset);
  }
  head.resize(AlignUp(head.size(), alignment_), 0);
  if (!sink(std::span<const uint8_t>(head))) return false;
  const std::vector<uint8_t> zeros(alignment_, 0);
  for (const Tensor& t : tensors_) {
    if (!sink(std::span<const uint8_t>(t.data))) return false;
    const uint64_t pad = AlignUp(t.data.size(), alignment_) - t.data.size();
    if (!sink(std::span<const uint8_t>(zeros).first(pad))) return false;
  }
  return true;
}

std::vector<uint8_t> GgufWriter::Serialize() const {
  std::vector<uint8_t> out;
  Emit([&out](std::span<const uint8_t> piece) {
    out.insert(out.end(), piece.begin(), piece.end());
    return true;
  });
  return out;
}

Status GgufWriter::WriteFile(const std::string& path) const {
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("gguf writer: cannot create a temporary file next to \"{}\": {}",
                              path, std::strerror(errno)));
  }
  Status status;
  Emit([&](std::span<const uint8_t> piece) {
    status = WriteAll(fd, piece);
    return status.ok();
  });
  if (status.ok() && ::fchmod(fd, 0644) != 0) status = Status(ErrorCode::kInternal, std::strerror(errno));
  if (status.ok() && ::fsync(fd) != 0) status = Status(ErrorCode::kInternal, std::strerror(errno));
  if (::close(fd) != 0 && status.ok()) status = Status(ErrorCode::kInternal, std::strerror(errno));
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = Status(ErrorCode::kInternal, std::strerror(errno));
  }
  if (status.ok()) {
    // Make the rename itself durable; failure here leaves a complete file, so ignore it.
    std::string dir = std::filesystem::path(path).parent_path().string();
    const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      (void)::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return Status(status.code(),
                  fmt::format("gguf writer: cannot write \"{}\": {}", path, status.message()));
  }
  return Status::Ok();
}

}  // namespace sluice::gguf
