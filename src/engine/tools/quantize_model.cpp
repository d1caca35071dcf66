#include "engine/tools/quantize_model.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kernels/matmul.h"
#include "engine/kernels/weight.h"
#include "engine/tools/encode.h"
#include "gguf/gguf_file.h"
#include "gguf/writer.h"

namespace sluice::engine::tools {
namespace {

std::span<const uint8_t> AsBytes(const std::vector<std::byte>& v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size()};
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// t: a 2-D tensor [rows][cols] → F32 values, row by row with the kernels' decoder.
Status Decode(const gguf::TensorInfo& t, std::vector<float>* out) {
  if (!IsSupportedWeightType(t.type)) {
    return Status(ErrorCode::kInvalidArgument,
                  "quantize: tensor \"" + std::string(t.name) + "\" has type " +
                      std::string(gguf::GetGgmlTypeInfo(t.type).name) +
                      ", which sluice cannot decode");
  }
  Weight w;
  w.type = t.type;
  w.data = reinterpret_cast<const std::byte*>(t.data.data());
  w.cols = static_cast<int64_t>(t.ne[0]);
  w.rows = static_cast<int64_t>(t.ne[1]);
  out->resize(static_cast<size_t>(w.rows * w.cols));
  for (int64_t r = 0; r < w.rows; ++r) DequantizeRow(w, r, out->data() + r * w.cols);
  return Status::Ok();
}

}  // namespace

Status QuantizeModel(const std::string& in_path, const std::string& out_path,
                     gguf::GgmlType type, QuantizeReport* report) {
  StatusOr<gguf::GgufFile> in = gguf::OpenGguf(in_path);
  if (!in.ok()) return in.status();
  *report = {};
  gguf::GgufWriter writer;
  for (const gguf::MetadataEntry& e : in->metadata()) {
    if (e.key == "general.file_type") continue;
    SLUICE_RETURN_IF_ERROR(writer.Set(e.key, e.value));
  }
  SLUICE_RETURN_IF_ERROR(writer.SetU32("general.file_type", FileTypeNumber(type)));

  std::vector<float> values;
  std::vector<std::byte> encoded;
  for (const gguf::TensorInfo& t : in->tensors()) {
    report->in_bytes += t.n_bytes;
    if (t.n_dims != 2 || !EndsWith(t.name, ".weight")) {
      SLUICE_RETURN_IF_ERROR(writer.AddTensor(t.name, t.type, t.dims(), t.data));
      report->out_bytes += t.n_bytes;
      ++report->n_copied;
      continue;
    }
    const auto rows = static_cast<int64_t>(t.ne[1]);
    const auto cols = static_cast<int64_t>(t.ne[0]);
    const gguf::GgmlType stored = StoredType(type, cols);
    if (t.type == stored) {  // already in the target encoding: keep the bytes, no second rounding
      SLUICE_RETURN_IF_ERROR(writer.AddTensor(t.name, t.type, t.dims(), t.data));
      report->out_bytes += t.n_bytes;
      ++report->n_copied;
      continue;
    }
    SLUICE_RETURN_IF_ERROR(Decode(t, &values));
    Status s = EncodeRows(stored, values.data(), rows, cols, &encoded);
    if (!s.ok()) return Status(s.code(), "quantize: " + std::string(t.name) + ": " + s.message());
    SLUICE_RETURN_IF_ERROR(writer.AddTensor(t.name, stored, t.dims(), AsBytes(encoded)));
    report->out_bytes += encoded.size();
    ++report->n_converted;
    if (stored != type) ++report->n_fallback;
  }
  return writer.WriteFile(out_path);
}

}  // namespace sluice::engine::tools
