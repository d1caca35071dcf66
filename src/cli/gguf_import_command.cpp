#include "cli/gguf_import_command.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <sstream>
#include <vector>

#include "base/status.h"
#include "gguf/writer.h"
#include "tokenizer/tokenizer_gguf.h"

namespace sluice::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

Status Invalid(std::string msg) { return Status(ErrorCode::kInvalidArgument, std::move(msg)); }

StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read " + path.string());
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(ErrorCode::kInternal, "error reading " + path.string());
  return data;
}

StatusOr<std::string> GetString(const json::object& o, std::string_view key,
                                const std::string& where) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return Invalid(where + ": \"" + std::string(key) + "\" must be a string");
  }
  return std::string(v->get_string());
}

StatusOr<uint64_t> GetUnsigned(const json::value& v, const std::string& where) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<uint64_t>(v.get_int64());
  return Invalid(where + " must be a non-negative integer");
}

Status AddMetadata(const json::object& entry, const std::string& where, gguf::GgufWriter* w) {
  auto key = GetString(entry, "key", where);
  if (!key.ok()) return key.status();
  auto type = GetString(entry, "type", where);
  if (!type.ok()) return type.status();
  const json::value* v = entry.if_contains("value");
  if (v == nullptr) return Invalid(where + ": \"value\" is missing");
  const std::string what = where + " (" + *key + ")";
  if (*type == "string") {
    if (!v->is_string()) return Invalid(what + ": value must be a string");
    return w->SetString(*key, std::string_view(v->get_string()));
  }
  if (*type == "u32") {
    auto u = GetUnsigned(*v, what + ": value");
    if (!u.ok()) return u.status();
    if (*u > std::numeric_limits<uint32_t>::max()) return Invalid(what + ": value exceeds u32");
    return w->SetU32(*key, static_cast<uint32_t>(*u));
  }
  if (*type == "i32") {
    if (!v->is_int64() && !v->is_uint64()) return Invalid(what + ": value must be an integer");
    const int64_t i = v->is_int64() ? v->get_int64()
                                    : (v->get_uint64() > static_cast<uint64_t>(INT64_MAX)
                                           ? INT64_MAX
                                           : static_cast<int64_t>(v->get_uint64()));
    if (i < std::numeric_limits<int32_t>::min() || i > std::numeric_limits<int32_t>::max()) {
      return Invalid(what + ": value exceeds i32");
    }
    return w->Set(*key, gguf::Value(static_cast<int32_t>(i)));
  }
  if (*type == "f32") {
    if (!v->is_number()) return Invalid(what + ": value must be a number");
    return w->Set(*key, gguf::Value(static_cast<float>(v->to_number<double>())));
  }
  if (*type == "bool") {
    if (!v->is_bool()) return Invalid(what + ": value must be a boolean");
    return w->Set(*key, gguf::Value(v->get_bool()));
  }
  return Invalid(what + ": unknown type \"" + *type + "\" (string, u32, i32, f32, bool)");
}

Status AddTensor(const json::object& entry, const std::string& where, const std::string& weights,
                 gguf::GgufWriter* w) {
  auto name = GetString(entry, "name", where);
  if (!name.ok()) return name.status();
  const std::string what = where + " (" + *name + ")";
  const json::value* shape = entry.if_contains("shape");
  if (shape == nullptr || !shape->is_array() || shape->get_array().empty() ||
      shape->get_array().size() > 4) {
    return Invalid(what + ": \"shape\" must be an array of 1 to 4 dimensions");
  }
  std::vector<uint64_t> ne;
  uint64_t count = 1;
  for (const json::value& d : shape->get_array()) {
    auto n = GetUnsigned(d, what + ": a dimension");
    if (!n.ok()) return n.status();
    if (*n == 0 || *n > (uint64_t{1} << 32)) return Invalid(what + ": dimension out of range");
    if (count > (uint64_t{1} << 40) / *n) return Invalid(what + ": tensor too large");
    count *= *n;
    ne.push_back(*n);
  }
  const json::value* off = entry.if_contains("offset");
  if (off == nullptr) return Invalid(what + ": \"offset\" is missing");
  auto offset = GetUnsigned(*off, what + ": offset");
  if (!offset.ok()) return offset.status();
  const uint64_t bytes = count * sizeof(float);
  if (*offset > weights.size() || bytes > weights.size() - *offset) {
    return Invalid(what + ": bytes [" + std::to_string(*offset) + ", " +
                   std::to_string(*offset + bytes) + ") lie outside the weights file (" +
                   std::to_string(weights.size()) + " bytes)");
  }
  const auto* data = reinterpret_cast<const uint8_t*>(weights.data()) + *offset;
  return w->AddTensor(*name, gguf::GgmlType::kF32, ne, std::span<const uint8_t>(data, bytes));
}

Status Import(const std::string& manifest_path, const std::string& out_path, std::string* summary) {
  auto text = ReadWholeFile(manifest_path);
  if (!text.ok()) return text.status();
  boost::system::error_code ec;
  json::value doc = json::parse(*text, ec);
  if (ec) return Invalid(manifest_path + ": not JSON: " + ec.message());
  if (!doc.is_object()) return Invalid(manifest_path + ": must be a JSON object");
  const json::object& root = doc.get_object();
  const fs::path dir = fs::path(manifest_path).parent_path();

  auto weights_name = GetString(root, "weights", "manifest");
  if (!weights_name.ok()) return weights_name.status();
  auto weights = ReadWholeFile(dir / *weights_name);
  if (!weights.ok()) return weights.status();

  gguf::GgufWriter writer;
  const json::value* meta = root.if_contains("metadata");
  if (meta == nullptr || !meta->is_array())
    return Invalid("manifest: \"metadata\" must be an array");
  size_t i = 0;
  for (const json::value& e : meta->get_array()) {
    const std::string where = "metadata[" + std::to_string(i++) + "]";
    if (!e.is_object()) return Invalid(where + " must be an object");
    SLUICE_RETURN_IF_ERROR(AddMetadata(e.get_object(), where, &writer));
  }
  size_t n_tokens = 0;
  if (const json::value* tok = root.if_contains("tokenizer"); tok != nullptr) {
    if (!tok->is_string()) return Invalid("manifest: \"tokenizer\" must be a string");
    auto t = tokenizer::LoadTokenizerFile((dir / std::string(tok->get_string())).string());
    if (!t.ok()) return t.status();
    SLUICE_RETURN_IF_ERROR(tokenizer::WriteTokenizerToGguf(**t, &writer));
    n_tokens = static_cast<size_t>((*t)->vocab_size());
  }
  const json::value* tensors = root.if_contains("tensors");
  if (tensors == nullptr || !tensors->is_array() || tensors->get_array().empty()) {
    return Invalid("manifest: \"tensors\" must be a non-empty array");
  }
  i = 0;
  for (const json::value& e : tensors->get_array()) {
    const std::string where = "tensors[" + std::to_string(i++) + "]";
    if (!e.is_object()) return Invalid(where + " must be an object");
    SLUICE_RETURN_IF_ERROR(AddTensor(e.get_object(), where, *weights, &writer));
  }
  SLUICE_RETURN_IF_ERROR(writer.WriteFile(out_path));
  std::ostringstream s;
  s << "wrote " << out_path << ": " << meta->get_array().size() << " metadata keys + tokenizer ("
    << n_tokens << " tokens), " << tensors->get_array().size() << " F32 tensors";
  *summary = s.str();
  return Status();
}

}  // namespace

int RunGgufImport(const std::string& manifest_path, const std::string& out_path, std::ostream& out,
                  std::ostream& err) {
  std::string summary;
  Status s = Import(manifest_path, out_path, &summary);
  if (!s.ok()) {
    err << "sluice: gguf import: " << s.message() << "\n";
    return 1;
  }
  out << summary << "\n";
  return 0;
}

void AddGgufImportCommand(CLI::App& gguf) {
  struct Args {
    std::string manifest, out;
  };
  auto args = std::make_shared<Args>();
  CLI::App* imp = gguf.add_subcommand(
      "import", "Write a GGUF from a JSON manifest + raw float32 weights (tools/demo_model)");
  imp->add_option("manifest", args->manifest, "Manifest JSON")
      ->required()
      ->check(CLI::ExistingFile);
  imp->add_option("out", args->out, "GGUF file to write")->required();
  imp->callback([args]() {
    int rc = RunGgufImport(args->manifest, args->out, std::cout, std::cerr);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace sluice::cli
